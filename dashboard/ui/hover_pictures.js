// Hover a dot on a Plotly chart of images and see the image itself, enlarged beside the pointer.
// Plotly's own hover label can only hold text, so this box is drawn over the page. The images come in one
// file the browser loads once, a sprite (cnn_lab.network.images.sprite): image i is its tile in column
// i % columns, row i // columns. ui/hover_pictures.py puts this script on the page and fills in SETTINGS.
(() => {
  const SETTINGS = __SETTINGS__;  // chart, pictures (their containers' keys), columns, size, scale
  const watcher = `cnnLabHoverPictures_${SETTINGS.chart}`;
  if (window[watcher]) return;  // one per browser tab, however often the page reruns
  window[watcher] = true;

  const side = SETTINGS.size * SETTINGS.scale;
  const box = document.createElement("div");
  box.id = `${SETTINGS.chart}-hover-picture`;
  box.setAttribute("aria-hidden", "true");  // the hover label beside it names the image in words
  Object.assign(box.style, {
    position: "fixed", display: "none", pointerEvents: "none", zIndex: "1001", boxSizing: "content-box",
    width: `${side}px`, height: `${side}px`, border: "3px solid #000", outline: "2px solid #fff",
    backgroundRepeat: "no-repeat", imageRendering: "pixelated",
    backgroundSize: `${SETTINGS.columns * side}px auto`,
  });
  document.body.appendChild(box);
  const hide = () => { box.style.display = "none"; };

  function show(event) {
    const point = (event.points || []).find(p => p.customdata !== undefined);
    const sprite = document.querySelector(`.st-key-${SETTINGS.pictures} img`);
    const mouse = event.event;
    if (!point || !sprite || !mouse || !Number.isFinite(mouse.clientX)) return hide();
    const i = Number(point.customdata[0]);
    box.dataset.index = String(i);
    box.style.backgroundImage = `url("${sprite.src}")`;
    box.style.backgroundPosition =
      `-${(i % SETTINGS.columns) * side}px -${Math.floor(i / SETTINGS.columns) * side}px`;
    // above and to the left of the pointer, where Plotly's label (right of the dot) is not
    const gap = 18;
    const left = mouse.clientX - side - gap, top = mouse.clientY - side - gap;
    box.style.left = `${left >= 0 ? left : mouse.clientX + gap}px`;
    box.style.top = `${top >= 0 ? top : mouse.clientY + gap}px`;
    box.style.display = "block";
  }

  // Streamlit draws the chart anew when a page opens or reruns: find it, and listen to each new one once.
  setInterval(() => {
    const chart = document.querySelector(`.st-key-${SETTINGS.chart} .js-plotly-plot`);
    if (!chart) return hide();
    if (chart.dataset.hoverPictures || typeof chart.on !== "function") return;
    chart.dataset.hoverPictures = "listening";
    chart.on("plotly_hover", show);
    chart.on("plotly_unhover", hide);
    chart.on("plotly_relayout", hide);  // panned or zoomed: the pointer may rest elsewhere
    chart.addEventListener("mouseleave", hide);
  }, 250);
})();
