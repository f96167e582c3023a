// js_on_load of the conversation (#pb-chat); `element`, `trigger` and `watch` come from Gradio.
// The conversation is re-rendered on every update, so one delegated listener serves the
// 👍/👎 buttons and the cards' "Visa i Källor" buttons of every turn.
element.addEventListener('click', (event) => {
  const vote = event.target.closest('button[data-vote]');
  if (vote) {
    vote.parentElement.querySelectorAll('button[data-vote]').forEach((b) => {
      b.setAttribute('aria-pressed', String(b === vote));
    });
    trigger('click', {index: Number(vote.dataset.index), liked: vote.dataset.vote === 'up'});
    return;
  }
  const go = event.target.closest('button[data-goto]');
  if (go) {
    trigger('select', {index: Number(go.dataset.index), n: Number(go.dataset.goto)});
  }
});

// A new turn is scrolled into view at its start once, when it appears and again when its
// answer is complete if that start has left the screen; in between the reader stays put.
const placed = new Set();
const smooth = () => !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
watch('value', () => {
  const turns = element.querySelectorAll('.pb-turn');
  const last = turns[turns.length - 1];
  if (!last) {
    placed.clear();
    return;
  }
  const step = `${last.dataset.id}:${last.dataset.state === 'done' ? 'done' : 'new'}`;
  if (placed.has(step)) return;
  placed.add(step);
  const top = last.getBoundingClientRect().top;
  if (step.endsWith('new') || top < 0 || top > window.innerHeight * 0.5) {
    last.scrollIntoView({block: 'start', behavior: smooth() ? 'smooth' : 'auto'});
  }
});
