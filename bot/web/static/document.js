// js_on_load of #pb-document: when a card's "Visa i Källor" opened a highlighted passage,
// bring it into view and move focus to it, so keyboard and screen-reader users land there.
const landOnPassage = () => {
  const passage = element.querySelector('#pb-passage');
  if (!passage) return;
  // The Källor tab is shown in the same update; wait until it is laid out.
  let tries = 0;
  const land = () => {
    if (passage.offsetParent === null && tries++ < 20) {
      setTimeout(land, 50);
      return;
    }
    passage.scrollIntoView({block: 'center'});
    passage.focus({preventScroll: true});
    // Other parts of Källor (the dropdowns) update in the same event and can push the page
    // back to the top on a phone; bring the passage back once the layout has settled.
    const keepInView = () => {
      const box = passage.getBoundingClientRect();
      if (box.bottom < 0 || box.top > window.innerHeight) {
        passage.scrollIntoView({block: 'center'});
      }
    };
    setTimeout(keepInView, 150);
    setTimeout(keepInView, 400);
  };
  land();
};
// The tab's content may be created only when it is first shown, after the value was set.
watch('value', landOnPassage);
landOnPassage();
