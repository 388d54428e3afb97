/* Self-assessment ratings: "Save this practice" saves that one rating through the API
   without reloading the page. Without this file the same button posts the form and the
   page comes back; nothing here is needed for the page to work. */
(function () {
  "use strict";

  var form = document.querySelector("[data-ratings-form]");
  if (!form || !window.fetch) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]');

  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="only"]');
    if (!button) { return; }
    var practice = button.closest("[data-practice]");
    var status = practice.querySelector("[data-save-status]");
    var id = button.value;
    var level = practice.querySelector('input[name="level-' + id + '"]:checked');
    var note = practice.querySelector('[name="note-' + id + '"]');
    event.preventDefault();
    if (!level) {
      status.textContent = "Choose a level first.";
      return;
    }
    button.disabled = true;
    status.textContent = "Saving…";
    fetch(form.getAttribute("data-api"), {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.content : ""},
      body: JSON.stringify([{practice_id: Number(id), level: level.value, note: note ? note.value : ""}])
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (result.ok) {
        status.textContent = "Saved.";
        practice.classList.remove("has-error");
      } else {
        var error = result.body && result.body.error;
        var fields = error && error.fields ? Object.values(error.fields) : [];
        status.textContent = "Not saved: " + (fields[0] || (error && error.message) || "please try again.");
        practice.classList.add("has-error");
      }
    }).catch(function () {
      status.textContent = "Not saved: the connection failed. The Save all button still works.";
    }).then(function () {
      button.disabled = false;
    });
  });
})();
