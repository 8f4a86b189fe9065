"""Loyalty: the points ledger, earning rules, tiers, badges, rewards, leaderboard, kudos and celebrations."""
