/**
 * The pages' only script, served from our origin (the CSP forbids inline script).
 * Pages work without it; it just pre-selects the reader's own time zone in any
 * <select data-browser-timezone>, adding the zone if the list lacks that spelling.
 */
export const TIMEZONE_JS = `(function () {
  'use strict';
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  var selects = document.querySelectorAll('select[data-browser-timezone]');
  for (var i = 0; i < selects.length; i++) {
    var select = selects[i];
    var known = false;
    for (var j = 0; j < select.options.length; j++) {
      if (select.options[j].value === zone) { known = true; break; }
    }
    if (!known) {
      var option = document.createElement('option');
      option.value = zone;
      option.textContent = zone.replace(/_/g, ' ');
      select.appendChild(option);
    }
    select.value = zone;
  }
})();
`;
