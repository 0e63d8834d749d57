"""The web tier: the app factory, the /wechat webhook, the simulator and the console."""
