// A widget key with its domain allowlist, the account's branding and an agent's widget policy, in the
// account of stack config kataven:apiUrl / kataven:apiKey.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"pulumi-kataven-widget/sdk/go/kataven"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		var allowlist []string
		config.RequireObject(ctx, "websiteAllowlist", &allowlist)

		support, err := kataven.NewAgentWidgetSettings(ctx, "support", &kataven.AgentWidgetSettingsArgs{
			AgentId:       pulumi.String("agent-a"),
			WidgetEnabled: pulumi.Bool(true),
			AuthMode:      pulumi.String("both"),
		})
		if err != nil {
			return err
		}
		_, err = kataven.NewWidgetSettings(ctx, "branding", &kataven.WidgetSettingsArgs{
			PrimaryColor:     pulumi.String("#2563eb"),
			LauncherPosition: pulumi.String("br"),
			LauncherLabel:    pulumi.String("Talk to us"),
		})
		if err != nil {
			return err
		}
		website, err := kataven.NewWidgetKey(ctx, "website", &kataven.WidgetKeyArgs{
			Name:            pulumi.String("acme.example production"),
			AgentId:         pulumi.String("agent-a"),
			DomainAllowlist: pulumi.ToStringArray(allowlist),
		}, pulumi.DependsOn([]pulumi.Resource{support}))
		if err != nil {
			return err
		}

		ctx.Export("publicKey", website.PublicKey)
		// A secret output (the SDK marks secretKey secret): `pulumi stack output` shows [secret].
		ctx.Export("secretKey", website.SecretKey)
		ctx.Export("allowlist", website.DomainAllowlist)
		return nil
	})
}
