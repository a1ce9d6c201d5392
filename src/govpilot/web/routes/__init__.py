"""The web UI's route modules; `govpilot.web.app.WEB_ROUTERS` lists them."""
