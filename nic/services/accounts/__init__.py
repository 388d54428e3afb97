"""People and networks: sign-in accounts, passwords and secrets, invitations, the network's schools
and memberships, and teams inside a school."""
