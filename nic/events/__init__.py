"""Broadcasts to Socket.IO rooms (publish) and the rooms' names (rooms): below the services,
which emit after their commit, and below nic.realtime, whose handlers join the rooms."""
