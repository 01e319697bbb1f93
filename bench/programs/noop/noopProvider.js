// The no-op dynamic provider behind the engine floor: it answers like a WidgetKey's provider (the same
// outputs, one of them secret) without any API, validation or allowlist work. The provider process loads it
// through the `__provider` stub of index.ts, relative to the program directory (the plugin's working
// directory), so the stub stays one short line, as the package's own stubs are.
const crypto = require("node:crypto");

module.exports = {
  async create(inputs) {
    const id = crypto.randomUUID();
    const publicKey = `pk_noop_${crypto.randomBytes(24).toString("base64url")}`;
    return {
      id,
      outs: {
        ...inputs,
        keyId: id,
        publicKey,
        secretKey: `noop_secret_${crypto.randomBytes(24).toString("base64url")}`,
        keyLast8: publicKey.slice(-8),
        disabled: false,
        disabledAt: null,
        lastUsedAt: null,
        createdAt: new Date().toISOString(),
        secretAvailable: true,
      },
    };
  },
  async diff(id, olds, news) {
    return { changes: olds.name !== news.name || JSON.stringify(olds.domainAllowlist) !== JSON.stringify(news.domainAllowlist) };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(id, olds, news) {
    return { outs: { ...olds, ...news } };
  },
  async delete() {},
};
