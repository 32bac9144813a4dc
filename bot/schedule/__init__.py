"""Running unattended: the APScheduler wiring (:mod:`bot.schedule.wiring`) and the functions it runs
(:mod:`bot.schedule.jobs`)."""
