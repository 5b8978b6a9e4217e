#!/usr/bin/env node
// Converts a world-atlas TopoJSON file (Natural Earth countries) into Meridian's
// compact country-outline resource. Uses only Node's standard library.
//
//   node convert-world-atlas.mjs countries-110m.json [toleranceDegrees] > world-110m.txt
//
// Output format, one record per line:
//   C<TAB>iso-numeric-id<TAB>name      starts a country
//   R<TAB>lon lat lon lat ...          one closed ring (outer or hole) of that country,
//                                      degrees with two decimals, first point not repeated
// Lines starting with # are comments. Rings are kept in TopoJSON order; JavaFX fills
// them with the even-odd rule, so holes need no marker.
import { readFileSync } from 'node:fs';

const [, , input, toleranceArg] = process.argv;
if (!input) {
  console.error('usage: node convert-world-atlas.mjs countries-110m.json [toleranceDegrees]');
  process.exit(2);
}
const tolerance = toleranceArg ? Number(toleranceArg) : 0;
const topology = JSON.parse(readFileSync(input, 'utf8'));
const [scaleX, scaleY] = topology.transform.scale;
const [translateX, translateY] = topology.transform.translate;

// Decode the quantized, delta-encoded arcs into absolute longitude/latitude pairs.
const arcs = topology.arcs.map((arc) => {
  let x = 0;
  let y = 0;
  return arc.map(([dx, dy]) => {
    x += dx;
    y += dy;
    return [x * scaleX + translateX, y * scaleY + translateY];
  });
});

function arcPoints(index) {
  return index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
}

function ring(arcIndexes) {
  const points = [];
  for (const index of arcIndexes) {
    const part = arcPoints(index);
    // Consecutive arcs share their joining point; keep it once.
    points.push(...(points.length ? part.slice(1) : part));
  }
  return points;
}

// Douglas-Peucker simplification on a plain lon/lat plane; enough for outlines.
function simplify(points, epsilon) {
  if (epsilon <= 0 || points.length < 5) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    const [ax, ay] = points[first];
    const [bx, by] = points[last];
    const length = Math.hypot(bx - ax, by - ay);
    let farthest = -1;
    let distanceMax = epsilon;
    for (let i = first + 1; i < last; i++) {
      const [px, py] = points[i];
      // A closed ring starts and ends on the same point: measure from that point.
      const distance =
        length < 1e-12
          ? Math.hypot(px - ax, py - ay)
          : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length;
      if (distance > distanceMax) {
        distanceMax = distance;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function wrapDelta(delta) {
  if (delta > 180) return delta - 360;
  if (delta < -180) return delta + 360;
  return delta;
}

// Clips a polygon to one side of the vertical line x = edge (Sutherland-Hodgman).
function clipVertical(points, edge, keepLeft) {
  const inside = ([x]) => (keepLeft ? x <= edge : x >= edge);
  const output = [];
  for (let i = 0; i < points.length; i++) {
    const current = points[i];
    const previous = points[(i + points.length - 1) % points.length];
    if (inside(current) !== inside(previous)) {
      const t = (edge - previous[0]) / (current[0] - previous[0]);
      output.push([edge, previous[1] + t * (current[1] - previous[1])]);
    }
    if (inside(current)) output.push(current);
  }
  return output;
}

// Natural Earth rings may cross the antimeridian (Fiji, Russia) or wind around a pole
// (Antarctica). A flat map needs each ring inside [-180, 180]: unwrap the longitudes so
// the ring is continuous, close polar rings along the pole, then cut the ring into one
// piece per 360-degree window and shift each piece back.
function splitAtAntimeridian(points) {
  const unwrapped = [[points[0][0], points[0][1]]];
  for (let i = 1; i < points.length; i++) {
    const [previousLon] = unwrapped[i - 1];
    unwrapped.push([previousLon + wrapDelta(points[i][0] - points[i - 1][0]), points[i][1]]);
  }
  const [lastLon, lastLat] = unwrapped[unwrapped.length - 1];
  const closingLon = lastLon + wrapDelta(points[0][0] - points[points.length - 1][0]);
  const winding = closingLon - unwrapped[0][0];
  if (Math.abs(winding) > 180) {
    const meanLat = unwrapped.reduce((sum, [, lat]) => sum + lat, 0) / unwrapped.length;
    const poleLat = meanLat < 0 ? -90 : 90;
    unwrapped.push([closingLon, points[0][1]], [closingLon, poleLat], [unwrapped[0][0], poleLat]);
  }
  const lons = unwrapped.map(([lon]) => lon);
  const windowFirst = Math.floor((Math.min(...lons) + 180) / 360);
  const windowLast = Math.ceil((Math.max(...lons) - 180) / 360);
  const pieces = [];
  for (let window = windowFirst; window <= windowLast; window++) {
    const low = -180 + 360 * window;
    let piece = clipVertical(clipVertical(unwrapped, low, false), low + 360, true);
    piece = piece.map(([lon, lat]) => [lon - 360 * window, lat]);
    if (piece.length >= 3) pieces.push(piece);
  }
  return pieces;
}

function format(value) {
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text.replace(/\.?0+$/, '');
}

const lines = [
  '# Country outlines from Natural Earth (public domain), Admin 0 countries,',
  `# via the world-atlas npm package (${input.split('/').pop()}), converted by convert-world-atlas.mjs.`,
  '# C<TAB>iso-numeric<TAB>name starts a country; R<TAB>lon lat ... is one ring in degrees.',
];
for (const geometry of topology.objects.countries.geometries) {
  const polygons =
    geometry.type === 'Polygon' ? [geometry.arcs] : geometry.type === 'MultiPolygon' ? geometry.arcs : [];
  if (!polygons.length) continue;
  const name = (geometry.properties && geometry.properties.name) || '';
  lines.push(`C\t${geometry.id ?? ''}\t${name.replace(/[\t\n]/g, ' ')}`);
  for (const polygon of polygons) {
    for (const arcIndexes of polygon) {
      let points = simplify(ring(arcIndexes), tolerance);
      const [fx, fy] = points[0];
      const [lx, ly] = points[points.length - 1];
      if (fx === lx && fy === ly) points = points.slice(0, -1);
      if (points.length < 3) continue;
      for (const piece of splitAtAntimeridian(points)) {
        lines.push('R\t' + piece.map(([x, y]) => `${format(x)} ${format(y)}`).join(' '));
      }
    }
  }
}
process.stdout.write(lines.join('\n') + '\n');
