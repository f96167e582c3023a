// js_on_load of #pb-announce: a polite live region that is given only finished answers, so a
// screen reader reads each answer once, whole, instead of every streamed word.
element.setAttribute('role', 'status');
element.setAttribute('aria-live', 'polite');
element.setAttribute('aria-atomic', 'true');
