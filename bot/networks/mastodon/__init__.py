"""Mastodon: tag timelines, statuses, home instances, and the bot account that posts threads."""
