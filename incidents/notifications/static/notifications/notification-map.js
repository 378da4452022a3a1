// The notification map: borders, notified volumes (exercise areas, drone-flight volumes) and, on the
// forms, an editor for one area. Leaflet is vendored (vendor/leaflet/) and there are no tiles: the
// networks this runs on are closed, so the committed borders are the whole background.
//
// <div data-notification-map
//      data-borders-url="…"          GeoJSON FeatureCollection; properties code, name, is_party
//      data-volumes="volumes-json"   id of a <script type="application/json"> holding a list of volumes
//      data-editor="#id_area"        selector of the <textarea> holding the geometry being edited
//      data-fit="volumes"            optional: start on the volumes rather than on the parties
//      data-shapes="point,polygon">  optional: what the editor draws (default "polygon,circle"; the
//                                    incident report's location is a Point or a Polygon)
// </div>
// A volume: {id, geometry, label, state, highlight}; a geometry is a GeoJSON Polygon or a circle
// {"lon", "lat", "radius_m"}, the two forms incidents/geojson.py accepts (and a Point, for a location).
// Hotline.map.create(element, options) does the same from script; the map it returns (also
// element.hotlineMap) has showVolumes(list), addVolume(volume), removeVolume(id), fitToVolumes()
// and leaflet (the L.Map).
(function () {
  "use strict";

  // The parties' extent (the Western Balkans), shown until the borders arrive.
  const WESTERN_BALKANS = [[39.6, 13.3], [46.6, 23.1]];
  const MAX_RADIUS_M = 200000; // as incidents/geojson.py: the server refuses larger circles
  const DEFAULT_RADIUS_M = 1000;
  const FLASH_MS = 2500;
  const DEFAULT_SHAPES = ["polygon", "circle"];
  const SHAPE_NAMES = (shapes) => shapes.map((shape) => ({ point: "a GeoJSON Point", polygon: "a GeoJSON Polygon", circle: "a circle {lon, lat, radius_m}" }[shape])).join(" or ");
  const CLOSE_PX = 10; // a click this near the first vertex closes the polygon

  const STATE_STYLES = {
    planned: { color: "#0b4f8a", fillColor: "#0b4f8a", fillOpacity: 0.15 },
    activated: { color: "#b42318", fillColor: "#b42318", fillOpacity: 0.25 },
    completed: { color: "#5b6470", fillColor: "#5b6470", fillOpacity: 0.1 },
    cancelled: { color: "#8a9aad", fillColor: "#8a9aad", fillOpacity: 0.05, dashArray: "4 4" },
    non_conforming: { color: "#a21caf", fillColor: "#a21caf", fillOpacity: 0.2 },
    // A drill must not be taken for a real event: the exercise yellow, dashed.
    exercise: { color: "#8a6d00", fillColor: "#ffd400", fillOpacity: 0.3, dashArray: "10 6" },
  };
  const EDITED_STYLE = { color: "#0b7285", fillColor: "#0b7285", fillOpacity: 0.2, weight: 3 };

  const round6 = (x) => Math.round(x * 1e6) / 1e6;
  const wholeMetres = (x) => Math.max(1, Math.min(MAX_RADIUS_M, Math.round(x)));
  const isNumber = (x) => typeof x === "number" && Number.isFinite(x);

  // console.js's el("span", {class: "x"}, "text"): user text only ever becomes text nodes, never markup.
  const { el } = window.Hotline;

  // --- geometry: the two forms, checked as the server checks them --------------------------------
  function checkPosition(position, where) {
    if (!Array.isArray(position) || position.length < 2 || position.length > 3 || !position.every(isNumber)) {
      throw new Error(where + ": a position is [longitude, latitude].");
    }
    if (Math.abs(position[0]) > 180 || Math.abs(position[1]) > 90) {
      throw new Error(where + ": longitude must lie in [-180, 180] and latitude in [-90, 90].");
    }
  }

  function checkPolygon(geometry) {
    const rings = geometry.coordinates;
    if (!Array.isArray(rings) || !rings.length) throw new Error("Polygon: coordinates are a list of rings.");
    rings.forEach((ring, index) => {
      const where = "Polygon ring " + (index + 1);
      if (!Array.isArray(ring) || ring.length < 4) throw new Error(where + ": at least four positions.");
      ring.forEach((position) => checkPosition(position, where));
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (first[0] !== last[0] || first[1] !== last[1]) throw new Error(where + ": the last position must repeat the first.");
    });
    return { type: "Polygon", coordinates: rings.map((ring) => ring.map((p) => [p[0], p[1]])) };
  }

  function checkPoint(geometry) {
    checkPosition(geometry.coordinates, "Point");
    return { type: "Point", coordinates: [geometry.coordinates[0], geometry.coordinates[1]] };
  }

  function checkCircle(value) {
    const keys = Object.keys(value).sort().join(",");
    if (keys !== "lat,lon,radius_m") throw new Error('A circle is {"lon", "lat", "radius_m"} and nothing else.');
    checkPosition([value.lon, value.lat], "Circle centre");
    if (!isNumber(value.radius_m) || value.radius_m <= 0 || value.radius_m > MAX_RADIUS_M) {
      throw new Error("Circle: radius_m is metres, above 0 and at most " + MAX_RADIUS_M + ".");
    }
    return { lon: value.lon, lat: value.lat, radius_m: value.radius_m };
  }

  // A pasted Feature, or a FeatureCollection of one, counts as its geometry (unwrapped says so).
  function readGeometry(value, shapes) {
    shapes = shapes || DEFAULT_SHAPES;
    let unwrapped = false;
    if (value && value.type === "FeatureCollection") {
      if (!Array.isArray(value.features) || value.features.length !== 1) throw new Error("A FeatureCollection must hold exactly one feature.");
      value = value.features[0];
      unwrapped = true;
    }
    if (value && value.type === "Feature") {
      value = value.geometry;
      unwrapped = true;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("Expected a Polygon or a circle.");
    if (value.type === "Polygon" && shapes.includes("polygon")) return { geometry: checkPolygon(value), unwrapped };
    if (value.type === "Point" && shapes.includes("point")) return { geometry: checkPoint(value), unwrapped };
    if ("radius_m" in value && shapes.includes("circle")) return { geometry: checkCircle(value), unwrapped };
    throw new Error("Expected " + SHAPE_NAMES(shapes) + (value.type ? ", not " + value.type : "") + ".");
  }

  const isCircle = (geometry) => geometry && "radius_m" in geometry;
  const isPoint = (geometry) => geometry && geometry.type === "Point";

  // Compact, rounded to 6 decimals (about 10 cm), lon/lat order, as written into the form.
  function serialise(geometry) {
    if (isCircle(geometry)) return JSON.stringify({ lon: round6(geometry.lon), lat: round6(geometry.lat), radius_m: geometry.radius_m });
    if (isPoint(geometry)) return JSON.stringify({ type: "Point", coordinates: [round6(geometry.coordinates[0]), round6(geometry.coordinates[1])] });
    const rings = geometry.coordinates.map((ring) => ring.map((p) => [round6(p[0]), round6(p[1])]));
    return JSON.stringify({ type: "Polygon", coordinates: rings });
  }

  // Clicked points → a closed ring, repeated points dropped (a double-click lands twice).
  function ringFrom(latlngs) {
    const ring = [];
    latlngs.forEach((latlng) => {
      const wrapped = latlng.wrap();
      const position = [round6(wrapped.lng), round6(wrapped.lat)];
      const previous = ring[ring.length - 1];
      if (!previous || previous[0] !== position[0] || previous[1] !== position[1]) ring.push(position);
    });
    while (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
    if (ring.length < 3) return null;
    ring.push(ring[0].slice());
    return ring;
  }

  // Leaflet layer for either form; null when the geometry is neither.
  function layerFor(geometry, style) {
    if (!geometry) return null;
    if (isCircle(geometry) && isNumber(geometry.lat) && isNumber(geometry.lon) && isNumber(geometry.radius_m)) {
      return L.circle([geometry.lat, geometry.lon], Object.assign({ radius: geometry.radius_m }, style));
    }
    if (isPoint(geometry) && Array.isArray(geometry.coordinates) && isNumber(geometry.coordinates[0]) && isNumber(geometry.coordinates[1])) {
      return L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], Object.assign({ radius: 8, fillOpacity: 0.8 }, style));
    }
    if ((geometry.type === "Polygon" || geometry.type === "MultiPolygon") && Array.isArray(geometry.coordinates)) {
      const depth = geometry.type === "Polygon" ? 1 : 2;
      return L.polygon(L.GeoJSON.coordsToLatLngs(geometry.coordinates, depth), style);
    }
    return null;
  }

  // Where a country's code goes: inside its largest ring (not on an island), even when the ring is
  // a crescent like Croatia's, whose centroid lies outside it. Along the parallel through the
  // centroid, the middle of the widest stretch that is inside.
  function labelPoint(geometry) {
    const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    let best = null;
    polygons.forEach((polygon) => {
      const ring = polygon[0];
      let area = 0, y = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        area += cross;
        y += (ring[j][1] + ring[i][1]) * cross;
      }
      if (area && (!best || Math.abs(area) > best.size)) best = { size: Math.abs(area), ring, lat: y / (3 * area) };
    });
    if (!best) return null;
    const lng = widestInside(best.ring, best.lat);
    return lng === null ? null : L.latLng(best.lat, lng);
  }

  function widestInside(ring, lat) {
    const crossings = [];
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [x1, y1] = ring[j];
      const [x2, y2] = ring[i];
      if ((y1 > lat) !== (y2 > lat)) crossings.push(x1 + ((lat - y1) / (y2 - y1)) * (x2 - x1));
    }
    crossings.sort((a, b) => a - b);
    let middle = null, widest = -1;
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      if (crossings[k + 1] - crossings[k] > widest) { widest = crossings[k + 1] - crossings[k]; middle = (crossings[k] + crossings[k + 1]) / 2; }
    }
    return middle;
  }

  function readVolumesScript(id) {
    const holder = id && document.getElementById(id);
    if (!holder) return [];
    try { return JSON.parse(holder.textContent) || []; }
    catch (e) { console.error("notification map: volumes in #" + id + " are not JSON", e); return []; }
  }

  // --- the map -----------------------------------------------------------------------------------
  function create(element, options) {
    if (element.hotlineMap) return element.hotlineMap;
    if (!window.L) throw new Error("notification map: Leaflet is not loaded (vendor/leaflet/leaflet.js)");
    options = options || {};
    element.classList.add("hotline-map");
    const map = L.map(element, { zoomSnap: 0.25, minZoom: 4, maxZoom: 18, attributionControl: true });
    map.attributionControl.setPrefix("Leaflet");
    map.fitBounds(WESTERN_BALKANS);
    // Borders lowest, their labels above them, notified volumes above both, the edited area on top.
    [["hotlineBorders", 350], ["hotlineLabels", 360], ["hotlineEdit", 420]].forEach(([name, z]) => {
      map.createPane(name).style.zIndex = z;
    });
    map.getPane("hotlineLabels").style.pointerEvents = "none";
    if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(element);

    let viewChosen = false; // once the page or the editor has fitted the view, the borders do not refit it
    const volumes = volumeLayer(map);
    const api = {
      leaflet: map,
      element: element,
      showVolumes: volumes.show,
      addVolume: volumes.add,
      removeVolume: volumes.remove,
      fitToVolumes() { if (volumes.fit()) viewChosen = true; },
    };
    element.hotlineMap = api;

    if (options.bordersUrl) {
      loadBorders(map, element, options.bordersUrl).then((partyBounds) => {
        if (partyBounds && partyBounds.isValid() && !viewChosen) map.fitBounds(partyBounds);
      });
    }
    volumes.show(options.volumes || []);
    if (options.fit === "volumes") api.fitToVolumes();
    if (options.editor) {
      const textarea = typeof options.editor === "string" ? document.querySelector(options.editor) : options.editor;
      if (textarea) {
        if (editor(map, element, textarea, options.shapes || DEFAULT_SHAPES)) viewChosen = true;
      } else {
        console.error("notification map: no editor textarea matches " + options.editor);
      }
    }
    return api;
  }

  // Resolves to the parties' bounds once drawn (null when the borders could not be had).
  function loadBorders(map, element, url) {
    element.dataset.bordersState = "loading";
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((collection) => {
        const partyBounds = drawBorders(map, collection);
        element.dataset.bordersState = "loaded";
        return partyBounds;
      })
      .catch((error) => {
        console.error("notification map: borders from " + url + " failed", error);
        element.dataset.bordersState = "failed";
        return null;
      });
  }

  // is_party is the API's name; the committed borders.geojson says party.
  const isParty = (properties) => Boolean(properties.is_party !== undefined ? properties.is_party : properties.party);

  function drawBorders(map, collection) {
    const partyBounds = L.latLngBounds([]);
    const labels = L.layerGroup().addTo(map);
    L.geoJSON(collection, {
      pane: "hotlineBorders",
      style: (feature) => (isParty(feature.properties || {})
        ? { color: "#3d4b5c", weight: 1.5, fillColor: "#fbfbf7", fillOpacity: 1, className: "hotline-border is-party" }
        : { color: "#9aa3ad", weight: 1, fillColor: "#e4e6e3", fillOpacity: 1, className: "hotline-border" }),
      onEachFeature: (feature, layer) => {
        const properties = feature.properties || {};
        const code = String(properties.code || "");
        if (isParty(properties)) partyBounds.extend(layer.getBounds());
        layer.bindTooltip(el("span", {}, properties.name ? properties.name + " (" + code + ")" : code), { sticky: true, className: "hotline-map-tooltip" });
        const at = feature.geometry && labelPoint(feature.geometry);
        if (!at || !code) return;
        const icon = L.divIcon({
          className: "hotline-map-label" + (isParty(properties) ? " is-party" : ""),
          html: el("span", { "data-testid": "map-border-label" }, code),
          iconSize: null,
        });
        L.marker(at, { icon, pane: "hotlineLabels", interactive: false, keyboard: false }).addTo(labels);
      },
    }).addTo(map);
    map.attributionControl.addAttribution("Borders: Natural Earth");
    return partyBounds;
  }

  // --- notified volumes --------------------------------------------------------------------------
  function volumeLayer(map) {
    const group = L.featureGroup().addTo(map);
    const byId = new Map();

    function styleOf(volume) {
      const style = Object.assign({ weight: 2 }, STATE_STYLES[volume.state] || STATE_STYLES.planned);
      if (volume.highlight) { style.weight = 4; style.fillOpacity = Math.min(1, style.fillOpacity + 0.15); }
      style.className = "hotline-volume state-" + String(volume.state || "planned").replace(/[^a-z_]/g, "") + (volume.highlight ? " is-highlight" : "");
      return style;
    }

    function add(volume, flash) {
      if (!volume || volume.id === undefined || volume.id === null) return;
      remove(volume.id);
      const layer = layerFor(volume.geometry, styleOf(volume));
      if (!layer) { console.warn("notification map: volume " + volume.id + " has no drawable geometry"); return; }
      layer.bindTooltip(el("span", {}, String(volume.label || volume.id)), { sticky: true, className: "hotline-map-tooltip" });
      layer.hotlineVolumeId = String(volume.id);
      byId.set(String(volume.id), layer);
      group.addLayer(layer);
      if (flash) flashLayer(layer);
    }

    function remove(id) {
      const layer = byId.get(String(id));
      if (!layer) return;
      group.removeLayer(layer);
      byId.delete(String(id));
    }

    // Enough to draw the eye to a volume that just arrived, then back to its own style.
    function flashLayer(layer) {
      layer.bringToFront();
      const path = layer.getElement && layer.getElement();
      if (!path) return;
      path.classList.add("hotline-map-flash");
      setTimeout(() => path.classList.remove("hotline-map-flash"), FLASH_MS);
    }

    return {
      show(list) { group.clearLayers(); byId.clear(); (list || []).forEach((volume) => add(volume, false)); },
      add(volume) { add(volume, true); },
      remove,
      // False when there is nothing to fit to.
      fit() {
        const bounds = group.getBounds();
        if (!bounds.isValid()) return false;
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
        return true;
      },
    };
  }

  // --- the editor --------------------------------------------------------------------------------
  // Returns true when it fitted the view to the area already in the textarea.
  function editor(map, element, textarea, shapes) {
    const button = (testid, text) => el("button", { type: "button", "data-testid": testid }, text);
    const drawPointButton = button("map-place-point", "Place point");
    const drawPolygonButton = button("map-draw-polygon", "Draw polygon");
    const finishButton = button("map-finish-polygon", "Finish polygon");
    const drawCircleButton = button("map-draw-circle", "Draw circle");
    const clearButton = button("map-clear", "Clear");
    const radiusInput = el("input", { type: "number", min: "1", max: String(MAX_RADIUS_M), step: "1", value: String(DEFAULT_RADIUS_M), "data-testid": "map-radius" });
    const message = el("span", { class: "hotline-map-message", role: "status", "aria-live": "polite", "data-testid": "map-message" });
    // A point may also be typed, as read from a phone or a report: "19.1, 45.8" (longitude, latitude).
    const coordinatesInput = el("input", { type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "19.1, 45.8", size: "14", "data-testid": "map-coordinates" });
    const placeTypedButton = button("map-place-coordinates", "Place");
    const toolbar = el("div", { class: "hotline-map-toolbar", role: "toolbar", "aria-label": shapes.includes("point") ? "Mark the location" : "Draw the area" },
      shapes.includes("point") ? drawPointButton : null,
      shapes.includes("point") ? el("label", {}, "longitude, latitude ", coordinatesInput) : null,
      shapes.includes("point") ? placeTypedButton : null,
      shapes.includes("polygon") ? drawPolygonButton : null,
      shapes.includes("polygon") ? finishButton : null,
      shapes.includes("circle") ? drawCircleButton : null,
      shapes.includes("circle") ? el("label", {}, "radius (m) ", radiusInput) : null,
      clearButton, message);
    element.parentNode.insertBefore(toolbar, element);

    let geometry = null; // what the textarea holds, once it has been read or drawn
    let shape = null; // its layer, in the hotlineEdit pane
    let mode = null; // null | "polygon" | "circle"
    let vertices = [];
    let centre = null;
    let writing = false;
    const sketch = L.layerGroup().addTo(map);
    const styled = (extra) => Object.assign({ pane: "hotlineEdit", interactive: false }, EDITED_STYLE, extra);

    function say(text, isError) {
      message.textContent = text || "";
      message.classList.toggle("is-error", Boolean(isError));
    }

    function showShape(next) {
      if (shape) map.removeLayer(shape);
      shape = next ? layerFor(next, styled({ className: "hotline-map-edited" })) : null;
      if (shape) shape.addTo(map);
      if (isCircle(next)) radiusInput.value = String(next.radius_m);
    }

    // The form field is the truth: every change goes there, and on to whoever listens to it.
    function write(next) {
      geometry = next;
      showShape(next);
      writing = true;
      try {
        textarea.value = next ? serialise(next) : "";
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      } finally {
        writing = false;
      }
    }

    function fitShape(onlyIfOutside) {
      if (!shape) return;
      const bounds = isPoint(geometry) ? null : shape.getBounds();
      if (isPoint(geometry)) {
        const at = shape.getLatLng();
        if (!onlyIfOutside || !map.getBounds().contains(at)) map.setView(at, Math.max(map.getZoom(), 9));
        return;
      }
      if (onlyIfOutside && map.getBounds().contains(bounds)) return;
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    }

    // From the textarea: redraw what parses; what does not is left exactly as typed.
    function readTextarea(fromUser) {
      const text = textarea.value.trim();
      if (!text) { geometry = null; showShape(null); say(""); return; }
      let result;
      try {
        result = readGeometry(JSON.parse(text), shapes);
      } catch (error) {
        say((error instanceof SyntaxError ? "Not valid JSON." : error.message) + " The map shows the last valid area.", true);
        return;
      }
      say("");
      geometry = result.geometry;
      showShape(geometry);
      if (fromUser && result.unwrapped) write(geometry); // a pasted Feature becomes its geometry
      if (fromUser) fitShape(true);
    }

    function setMode(next) {
      mode = next;
      vertices = [];
      centre = null;
      sketch.clearLayers();
      drawPolygonButton.setAttribute("aria-pressed", String(mode === "polygon"));
      drawCircleButton.setAttribute("aria-pressed", String(mode === "circle"));
      drawPointButton.setAttribute("aria-pressed", String(mode === "point"));
      finishButton.disabled = true;
      element.classList.toggle("hotline-map-drawing", mode !== null);
      // A double-click finishes a polygon instead of zooming.
      if (mode === "polygon") map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
      if (mode === "polygon") say("Click the map to add corners; Finish polygon or double-click to close (at least 3). Esc cancels.");
      else if (mode === "circle") say("Click the centre, then click again to set the radius. Esc cancels.");
      else if (mode === "point") say("Click the map where it happened. Esc cancels.");
      else say("");
    }

    // --- polygon
    function drawSketch(cursor) {
      sketch.clearLayers();
      if (!vertices.length) return;
      L.polyline(vertices, styled({ weight: 2, fill: false })).addTo(sketch);
      vertices.forEach((latlng) => L.circleMarker(latlng, styled({ radius: 4, weight: 2, fillOpacity: 1, fillColor: "#fff" })).addTo(sketch));
      if (cursor) L.polyline([vertices[vertices.length - 1], cursor, vertices[0]], styled({ weight: 1, dashArray: "4 4", fill: false })).addTo(sketch);
    }

    function nearFirstVertex(latlng) {
      return vertices.length >= 3 && map.latLngToContainerPoint(vertices[0]).distanceTo(map.latLngToContainerPoint(latlng)) <= CLOSE_PX;
    }

    function addVertex(latlng) {
      if (nearFirstVertex(latlng)) { finishPolygon(); return; }
      vertices.push(latlng);
      finishButton.disabled = vertices.length < 3;
      drawSketch(null);
    }

    function finishPolygon() {
      const ring = ringFrom(vertices);
      if (!ring) { say("A polygon needs at least 3 distinct points.", true); return; }
      setMode(null);
      write({ type: "Polygon", coordinates: [ring] });
    }

    // The two clicks of a double-click each added a vertex; the second is the same point again.
    function dropDoubleClickVertex() {
      if (vertices.length < 2) return;
      const a = map.latLngToContainerPoint(vertices[vertices.length - 1]);
      const b = map.latLngToContainerPoint(vertices[vertices.length - 2]);
      if (a.distanceTo(b) <= CLOSE_PX) vertices.pop();
    }

    // --- circle
    const radiusTo = (latlng) => wholeMetres(map.distance(centre, latlng));

    function circleAt(latlng, radius) {
      const wrapped = latlng.wrap();
      return { lon: round6(wrapped.lng), lat: round6(wrapped.lat), radius_m: radius };
    }

    function placeCircle(latlng) {
      if (!centre) {
        centre = latlng;
        const typed = Number(radiusInput.value);
        write(circleAt(centre, typed > 0 && typed <= MAX_RADIUS_M ? wholeMetres(typed) : DEFAULT_RADIUS_M));
        say("Click again to set the radius, or type it. Esc keeps this one.");
        return;
      }
      const radius = radiusTo(latlng);
      const at = centre;
      setMode(null);
      write(circleAt(at, radius));
      if (radius === MAX_RADIUS_M) say("Radius capped at " + MAX_RADIUS_M / 1000 + " km.", true);
    }

    function typedRadius() {
      const radius = Number(radiusInput.value);
      if (!radiusInput.value || !(radius > 0) || radius > MAX_RADIUS_M) {
        say("Radius: metres, above 0 and at most " + MAX_RADIUS_M + ".", true);
        return;
      }
      if (mode === "circle" && centre) setMode(null);
      else say("");
      if (isCircle(geometry)) write(Object.assign({}, geometry, { radius_m: wholeMetres(radius) }));
    }

    // --- typed coordinates
    function placeTyped() {
      const found = coordinatesInput.value.trim().match(/^(-?\d+(?:[.]\d+)?)\s*[,;\s]\s*(-?\d+(?:[.]\d+)?)$/);
      if (!found) { say("Type longitude and latitude in degrees, e.g. 19.1, 45.8.", true); return; }
      const position = [Number(found[1]), Number(found[2])];
      try { checkPosition(position, "Point"); }
      catch (error) { say(error.message, true); return; }
      setMode(null);
      write({ type: "Point", coordinates: [round6(position[0]), round6(position[1])] });
      fitShape(true);
    }

    // --- wiring
    drawPolygonButton.addEventListener("click", () => setMode(mode === "polygon" ? null : "polygon"));
    drawCircleButton.addEventListener("click", () => setMode(mode === "circle" ? null : "circle"));
    drawPointButton.addEventListener("click", () => setMode(mode === "point" ? null : "point"));
    placeTypedButton.addEventListener("click", placeTyped);
    // Enter places the point; it must not submit the form around the map half-filled.
    coordinatesInput.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); placeTyped(); } });
    finishButton.addEventListener("click", finishPolygon);
    clearButton.addEventListener("click", () => { setMode(null); write(null); });
    radiusInput.addEventListener("input", typedRadius);
    textarea.addEventListener("input", () => { if (!writing) readTextarea(true); });

    map.on("click", (event) => {
      if (mode === "polygon") addVertex(event.latlng);
      else if (mode === "circle") placeCircle(event.latlng);
      else if (mode === "point") {
        const wrapped = event.latlng.wrap();
        setMode(null);
        write({ type: "Point", coordinates: [round6(wrapped.lng), round6(wrapped.lat)] });
      }
    });
    map.on("dblclick", () => {
      if (mode !== "polygon") return;
      dropDoubleClickVertex();
      finishPolygon();
    });
    map.on("mousemove", (event) => {
      if (mode === "polygon") drawSketch(event.latlng);
      else if (mode === "circle" && centre && shape) shape.setRadius(radiusTo(event.latlng));
    });
    const escape = (event) => {
      if (event.key !== "Escape" || mode === null) return;
      if (mode === "circle" && centre) showShape(geometry); // undo the preview, keep the written radius
      setMode(null);
    };
    element.addEventListener("keydown", escape);
    toolbar.addEventListener("keydown", escape);

    setMode(null);
    readTextarea(false);
    if (shape) { fitShape(false); return true; }
    return false;
  }

  // --- start-up ----------------------------------------------------------------------------------
  function optionsFrom(element) {
    const data = element.dataset;
    return {
      bordersUrl: data.bordersUrl || null,
      volumes: readVolumesScript(data.volumes),
      editor: data.editor || null,
      fit: data.fit || null,
      shapes: data.shapes ? data.shapes.split(",").map((shape) => shape.trim()).filter(Boolean) : null,
    };
  }

  function initialiseAll() {
    document.querySelectorAll("[data-notification-map]").forEach((element) => {
      if (element.hotlineMap) return;
      try { create(element, optionsFrom(element)); }
      catch (error) { console.error("notification map:", error); }
    });
  }

  window.Hotline.map = { create };
  // Loaded with defer, possibly before leaflet.js: wait for DOMContentLoaded, by which every deferred
  // script has run. Loaded later than that, "load" (or now, when that too is past) does it.
  if (document.readyState === "complete") initialiseAll();
  else {
    document.addEventListener("DOMContentLoaded", initialiseAll);
    window.addEventListener("load", initialiseAll);
  }
})();
