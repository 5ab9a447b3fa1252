/**
 * The five terrain types of the Warcraft shortest-path benchmark (Vlastelica et al., ICLR
 * 2020), their cell costs, and the 8x8 RGB textures this stand-in data set draws them with.
 * The costs are the benchmark's; the names, colours and patterns are ours.
 *
 * @module
 */

/** The terrain types, cheapest first; a terrain is stored as its index here. */
export const TERRAINS = ['grass', 'earth', 'forest', 'water', 'mountain'] as const
/** A terrain type's name. */
export type Terrain = (typeof TERRAINS)[number]

/**
 * The cost of a cell of each terrain (index as in `TERRAINS`): the five vertex costs of the
 * Warcraft maps, as float32 values.
 *
 * @example
 * ```ts
 * warcraft.COSTS[TERRAINS.indexOf('water')]   // 7.7 (as float32)
 * ```
 */
export const COSTS: Float32Array = Float32Array.of(0.8, 1.2, 5.3, 7.7, 9.2)

/** Side of a cell's tile in pixels. */
export const TILE = 8

/**
 * A tile texture: a base colour, a detail colour, and an 8x8 pattern (row strings, `#` =
 * detail, `o` = a third "shade" colour, `.` = base).
 */
interface Texture {
  readonly base: readonly [number, number, number]
  readonly detail: readonly [number, number, number]
  readonly shade: readonly [number, number, number]
  readonly pattern: readonly string[]
}

// The patterns are drawn cyclically shifted by a random (dx, dy) per tile, so a network must
// recognise the texture, not a fixed pixel.
const TEXTURES: readonly Texture[] = [
  {
    // grass: light green with scattered blades
    base: [0.38, 0.62, 0.25],
    detail: [0.5, 0.74, 0.32],
    shade: [0.3, 0.52, 0.2],
    pattern: ['.#......', '.#...o..', '....#...', '....#...', 'o.......', '......#.', '..o...#.', '........'],
  },
  {
    // earth: brown with darker furrows
    base: [0.6, 0.47, 0.3],
    detail: [0.49, 0.37, 0.23],
    shade: [0.68, 0.55, 0.37],
    pattern: ['........', '###..###', '........', 'o...o...', '........', '..###..#', '........', '......o.'],
  },
  {
    // forest: dark green with a tree crown and a trunk
    base: [0.24, 0.44, 0.2],
    detail: [0.13, 0.31, 0.12],
    shade: [0.36, 0.26, 0.15],
    pattern: ['..###...', '.#####..', '#######.', '#######.', '.#####..', '...o....', '...o....', '........'],
  },
  {
    // water: blue with light wave crests
    base: [0.2, 0.38, 0.68],
    detail: [0.45, 0.6, 0.86],
    shade: [0.15, 0.3, 0.58],
    pattern: ['........', '.##.....', '#..#....', '....oo..', '.....##.', '....#..#', '........', 'oo......'],
  },
  {
    // mountain: grey with a lit peak and a shaded flank
    base: [0.5, 0.48, 0.46],
    detail: [0.72, 0.7, 0.68],
    shade: [0.33, 0.31, 0.3],
    pattern: ['........', '...#....', '..##o...', '..#ooo..', '.##oooo.', '.#ooooo.', '##oooooo', '........'],
  },
]

/**
 * The texture of each terrain as a flat `Float32Array [5, 8, 8, 3]` of colours in [0, 1]
 * (before the per-tile shift, tint and per-pixel noise of the generator).
 *
 * @example
 * ```ts
 * const grassTopLeft = warcraft.TEXTURE_PIXELS.subarray(0, 3)   // RGB of grass pixel (0, 0)
 * ```
 */
export const TEXTURE_PIXELS: Float32Array = (() => {
  const out = new Float32Array(TEXTURES.length * TILE * TILE * 3)
  TEXTURES.forEach((tex, t) => {
    for (let y = 0; y < TILE; y++) {
      for (let x = 0; x < TILE; x++) {
        const ch = tex.pattern[y]![x]
        const rgb = ch === '#' ? tex.detail : ch === 'o' ? tex.shade : tex.base
        out.set(rgb, ((t * TILE + y) * TILE + x) * 3)
      }
    }
  })
  return out
})()
