"""The networks Exemplar reads and posts to: one folder per network, each with its client, its
normaliser (network payloads in, :class:`bot.posts.Post` out: pure), its collection and its thread
poster. Nothing here writes to the database except through :mod:`bot.jobs.store`."""
