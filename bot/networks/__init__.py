"""The networks Exemplar reads and posts to: one folder per network (client, source, normaliser,
thread poster, consent re-check), the shapes they share (:mod:`bot.networks.source`,
:mod:`bot.networks.publishing`, :mod:`bot.networks.recheck`), and the list of them
(:mod:`bot.networks.registry`). Nothing here writes to the database."""
