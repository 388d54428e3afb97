"""Channel management pages for facilitators: create a channel (with its thread) and
edit its name, description and who may read it. The channel list itself is a discussion
page (nic.web.discussion)."""
from nic.web.channels.views import bp

__all__ = ["bp"]
