"""pufa's web and process layer: app factory, webhook, storage, CLI and scheduler."""
