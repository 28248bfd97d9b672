"""Change notifications for downstream hubs and screens: signed webhooks delivered from an outbox."""
