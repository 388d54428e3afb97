/* One Socket.IO connection per page, shared by every script that needs it (the
 * discussion panel, the notifications bell, dashboards). Created on first use, so a page
 * where nothing asks for it opens no connection. The session cookie authenticates it. */
(function () {
  "use strict";
  var shared = null;
  window.nicRealtime = {
    available: function () { return typeof window.io === "function"; },
    socket: function () {
      if (!shared && typeof window.io === "function") {
        shared = window.io({ withCredentials: true });
      }
      return shared;
    }
  };
})();
