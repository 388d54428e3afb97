"""Discussion pages: a thread (works without JavaScript; static/js/discussion.js makes it
live), starting a thread on a subject, the channel list, and the panel other pages include."""
from nic.web.discussion.views import bp

__all__ = ["bp"]
