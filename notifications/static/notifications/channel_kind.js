// Show only the settings fieldset of the channel kind chosen in the admin form.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var kind = document.getElementById("id_kind");
  if (!kind) return;
  function sync() {
    document.querySelectorAll("fieldset.channel-kind").forEach(function (fieldset) {
      fieldset.hidden = !fieldset.classList.contains("channel-kind-" + kind.value);
    });
  }
  kind.addEventListener("change", sync);
  sync();
});
