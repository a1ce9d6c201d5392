"""The web UI's route modules; `govpilot.web.mount.WEB_ROUTERS` lists them."""
