// Kataven's embeddable chat widget: widget keys with their domain allowlists, the account's branding, each agent's widget policy.
package kataven
