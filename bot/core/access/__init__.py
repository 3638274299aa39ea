"""Who may do what: users, roles, invites, the command table, rate limits, keys."""
