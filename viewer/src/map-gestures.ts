import { useRef } from 'preact/hooks';
import { type Transform, zoomAt } from './map-draw.js';

export interface Band {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface GestureOptions {
  readonly transform: Transform;
  readonly setTransform: (t: Transform) => void;
  /** Dragging draws a selection band instead of panning (Shift does the same with a mouse). */
  readonly selecting: boolean;
  readonly onBand: (band: Band | null, done: boolean) => void;
  readonly onHover: (x: number, y: number) => void;
  /** A press without a drag; `touch` is true for fingers and pens, which cannot hover. */
  readonly onTap: (x: number, y: number, touch: boolean) => void;
}

/** A press that moves less than this is a tap, not a drag. */
const DRAG_PIXELS = 5;
const WHEEL_ZOOM = 0.0025;

interface Press {
  readonly x: number;
  readonly y: number;
  readonly transform: Transform;
  readonly band: boolean;
  moved: boolean;
}

/**
 * Pointer handling for the map canvas: wheel and pinch zoom about the pointer, drag pans, a
 * drag in selection mode draws a band, and a press without a drag is a tap.
 */
export function useMapGestures(options: GestureOptions) {
  const latest = useRef(options);
  latest.current = options;
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const press = useRef<Press | null>(null);
  const pinch = useRef<{ distance: number; cx: number; cy: number; transform: Transform } | null>(
    null,
  );

  const spread = () => {
    const [a, b] = [...pointers.current.values()];
    if (!a || !b) return null;
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2 };
  };

  return {
    onPointerDown(event: PointerEvent) {
      const target = event.currentTarget as HTMLElement;
      target.setPointerCapture(event.pointerId);
      pointers.current.set(event.pointerId, { x: event.offsetX, y: event.offsetY });
      const { transform, selecting } = latest.current;
      if (pointers.current.size === 2) {
        const s = spread();
        press.current = null;
        pinch.current = s && { ...s, transform };
        return;
      }
      press.current = {
        x: event.offsetX,
        y: event.offsetY,
        transform,
        band: selecting || event.shiftKey,
        moved: false,
      };
    },
    onPointerMove(event: PointerEvent) {
      const o = latest.current;
      if (!pointers.current.has(event.pointerId)) {
        if (event.pointerType === 'mouse') o.onHover(event.offsetX, event.offsetY);
        return;
      }
      pointers.current.set(event.pointerId, { x: event.offsetX, y: event.offsetY });
      const start = pinch.current;
      const now = spread();
      if (start && now) {
        const zoomed = zoomAt(
          start.transform,
          now.distance / Math.max(1, start.distance),
          start.cx,
          start.cy,
        );
        o.setTransform({
          ...zoomed,
          x: zoomed.x + now.cx - start.cx,
          y: zoomed.y + now.cy - start.cy,
        });
        return;
      }
      const p = press.current;
      if (!p) return;
      const [dx, dy] = [event.offsetX - p.x, event.offsetY - p.y];
      if (!p.moved && Math.hypot(dx, dy) < DRAG_PIXELS) return;
      p.moved = true;
      if (p.band) o.onBand({ x0: p.x, y0: p.y, x1: event.offsetX, y1: event.offsetY }, false);
      else o.setTransform({ ...p.transform, x: p.transform.x + dx, y: p.transform.y + dy });
    },
    onPointerUp(event: PointerEvent) {
      const p = press.current;
      pointers.current.delete(event.pointerId);
      if (pointers.current.size < 2) pinch.current = null;
      if (!p) return;
      press.current = null;
      const o = latest.current;
      if (!p.moved) o.onTap(event.offsetX, event.offsetY, event.pointerType !== 'mouse');
      else if (p.band) o.onBand({ x0: p.x, y0: p.y, x1: event.offsetX, y1: event.offsetY }, true);
    },
    onPointerCancel(event: PointerEvent) {
      pointers.current.delete(event.pointerId);
      press.current = null;
      pinch.current = null;
      latest.current.onBand(null, false);
    },
    onWheel(event: WheelEvent) {
      event.preventDefault();
      const { transform, setTransform } = latest.current;
      setTransform(
        zoomAt(transform, Math.exp(-event.deltaY * WHEEL_ZOOM), event.offsetX, event.offsetY),
      );
    },
  };
}
