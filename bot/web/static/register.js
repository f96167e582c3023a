// js_on_load of the register (#pb-register); `element`, `trigger` and `watch` come from Gradio.
// One delegated listener serves every button, since the table is re-rendered when the stored
// register changes:
// - a column header sorts the rows in the page, by the ranks bot/web/register.py computed
//   (empty cells last either way, ties in stored order: register.ordered), and says so;
// - "Visa i Källor" sends its citation to the server, which opens the passage in Källor just
//   like a chat card's button does.
let sorted = null; // {key, dir}
const WORDS = {ascending: 'stigande', descending: 'fallande'};
const ARROWS = {ascending: '▲', descending: '▼'};

const applySort = (announce) => {
  const table = element.querySelector('table.pb-reg');
  if (!table || !sorted) return;
  const body = table.tBodies[0];
  const rank = (row) => row.getAttribute(`data-rank-${sorted.key}`);
  const sign = sorted.dir === 'descending' ? -1 : 1;
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra === null || rb === null) {
      if (ra !== rb) return ra === null ? 1 : -1;
    } else if (ra !== rb) {
      return sign * (Number(ra) - Number(rb));
    }
    return Number(a.dataset.pos) - Number(b.dataset.pos);
  });
  rows.forEach((row) => body.appendChild(row));
  let label = '';
  table.querySelectorAll('thead th').forEach((th) => {
    const button = th.querySelector('button[data-sort]');
    const arrow = th.querySelector('.pb-reg-arrow');
    const on = button && button.dataset.sort === sorted.key;
    if (on) {
      th.setAttribute('aria-sort', sorted.dir);
      label = button.firstChild.textContent;
    } else {
      th.removeAttribute('aria-sort');
    }
    if (arrow) arrow.textContent = on ? ARROWS[sorted.dir] : '↕';
  });
  const status = element.querySelector('[data-reg-status]');
  if (announce && status) {
    status.textContent = `Sorterad efter ${label}, ${WORDS[sorted.dir]}.`;
  }
};

element.addEventListener('click', (event) => {
  const sort = event.target.closest('button[data-sort]');
  if (sort) {
    const key = sort.dataset.sort;
    const dir = sorted && sorted.key === key && sorted.dir === 'ascending' ? 'descending' : 'ascending';
    sorted = {key, dir};
    applySort(true);
    return;
  }
  const go = event.target.closest('button[data-doc]');
  if (go) {
    trigger('select', {doc_id: go.dataset.doc, section: go.dataset.section, quote: go.dataset.quote});
  }
});

// A new register (the stored file changed) keeps the reader's chosen order.
watch('value', () => applySort(false));
