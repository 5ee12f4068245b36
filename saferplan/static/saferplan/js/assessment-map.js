// The map of LSOAs and wards: a progressive enhancement of the tables beside it (which hold the
// same figures). Boundaries come from the server as GeoJSON; no tile server is used.
import * as L from "../../build/leaflet/leaflet-src.esm.js";

const box = document.getElementById("assessment-map");
const COLOURS = ["#f3f2f1", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
const HOT = { hotspot: "#d4351c", coldspot: "#1d70b8", "not significant": "#f3f2f1" };

function breaks(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return [];
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

function classOf(value, cuts) {
  if (value === null || value === undefined) return 0;
  let i = 0;
  while (i < cuts.length && value > cuts[i]) i += 1;
  return i;
}

function escape(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span.innerHTML;
}

function fmt(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-GB", { maximumFractionDigits: 1 });
}

function legendFor(mode, cuts, legend) {
  legend.replaceChildren();
  const title = document.createElement("p");
  title.className = "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1";
  title.textContent = mode === "hotspots" ? "Getis-Ord Gi* result" : "Crimes per 1,000 residents a year";
  legend.append(title);
  const list = document.createElement("ul");
  list.className = "app-map__legend-list";
  const items = mode === "hotspots"
    ? Object.entries(HOT).map(([label, colour]) => [label[0].toUpperCase() + label.slice(1), colour])
    : COLOURS.map((colour, i) => {
        const low = i === 0 ? 0 : cuts[i - 1];
        const high = cuts[i];
        return [high === undefined ? `over ${fmt(low)}` : `${fmt(low)} to ${fmt(high)}`, colour];
      });
  for (const [label, colour] of items) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "app-map__swatch";
    swatch.style.backgroundColor = colour; // CSSOM, allowed by the style-src 'self' policy
    item.append(swatch, document.createTextNode(label));
    list.append(item);
  }
  legend.append(list);
}

async function start() {
  box.hidden = false;
  const canvas = document.getElementById("assessment-map-canvas");
  const legend = document.getElementById("assessment-map-legend");
  canvas.setAttribute("role", "region");
  canvas.setAttribute("aria-label", box.dataset.label);
  const map = L.map(canvas, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: ONS, Open Government Licence; crime: data.police.uk");
  const cache = {};
  let layer = null;

  async function load(level) {
    if (!cache[level]) {
      const response = await fetch(box.dataset[`${level}Url`], { credentials: "same-origin" });
      cache[level] = await response.json();
    }
    return cache[level];
  }

  async function show(mode) {
    const level = mode === "ward" ? "ward" : "lsoa";
    const data = await load(level);
    const cuts = breaks(data.features.map((f) => f.properties.crime_rate));
    if (layer) layer.remove();
    layer = L.geoJSON(data, {
      style: (feature) => ({
        color: "#0b0c0c",
        weight: 1,
        fillOpacity: 0.75,
        fillColor: mode === "hotspots"
          ? HOT[feature.properties.hotspot || "not significant"]
          : COLOURS[classOf(feature.properties.crime_rate, cuts)],
      }),
      onEachFeature: (feature, shape) => {
        const p = feature.properties;
        const extra = mode === "hotspots" ? `<br>Gi*: ${escape(p.hotspot || "not tested")}` : "";
        shape.bindTooltip(
          `<strong>${escape(p.name)}</strong><br>${fmt(p.crimes)} crimes, ${fmt(p.crime_rate)} per 1,000 a year<br>${fmt(p.asb)} ASB${extra}`,
          { sticky: true },
        );
      },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    legendFor(mode, cuts, legend);
  }

  for (const input of box.querySelectorAll("input[name='map-level']")) {
    input.addEventListener("change", () => show(input.value));
  }
  await show("lsoa");
}

if (box) start();
