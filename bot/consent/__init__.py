"""Who may be collected and featured: the opt-out rules (:mod:`bot.consent.rules`), the screen every
collected record passes (:mod:`bot.consent.screen`), and opt-out requests sent to the bot
(:mod:`bot.consent.optout_requests`)."""
