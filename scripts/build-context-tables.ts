/**
 * Rebuilds the rubric's context tables from the public-domain data sets (US TIP Report tiers, US DOL
 * list of goods produced with forced labour). Run when the data is updated:
 *   npx tsx scripts/build-context-tables.ts <data folder>
 * The output is committed, so the application never needs the raw data at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { COUNTRIES } from '../src/questionnaire/countries.ts'

const dataDir = process.argv[2]
if (!dataDir) {
  process.stderr.write('usage: tsx scripts/build-context-tables.ts <data folder>\n')
  process.exit(2)
}

/** A small CSV reader: the files quote fields that contain commas. */
function csv(file: string): Record<string, string>[] {
  const text = readFileSync(join(dataDir as string, file), 'utf8').trim()
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  row.push(field)
  rows.push(row)
  const [header, ...body] = rows as [string[], ...string[][]]
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])))
}

const TIER_POINTS: Record<string, number> = {
  'Tier 1': 1,
  'Tier 2': 2,
  'Tier 2 Watch List': 3,
  'Tier 3': 4,
  'Special Case': 4,
}

const seen = csv('tip-tiers.csv').map((row) => ({ row, derived: false }))
const derived = csv('tip-tiers-derived-tier2.csv').map((row) => ({ row, derived: true }))
const tiers = new Map<string, { tier: string; derived: boolean }>()
for (const { row: r, derived: isDerived } of [...seen, ...derived]) {
  const code = r.iso2 as string
  if (!COUNTRIES[code]) throw new Error(`unknown country code ${code} in TIP data`)
  if (tiers.has(code)) throw new Error(`duplicate TIP row for ${code}`)
  if (!((r.tip_tier as string) in TIER_POINTS)) throw new Error(`unknown tier ${r.tip_tier}`)
  tiers.set(code, { tier: r.tip_tier as string, derived: isDerived })
}

const countries = Object.keys(COUNTRIES)
  .sort()
  .map((code) => {
    const t = tiers.get(code)
    if (!t) return { code, name: COUNTRIES[code], points: null, basis: 'not ranked in the 2025 TIP Report' }
    return {
      code,
      name: COUNTRIES[code],
      points: TIER_POINTS[t.tier],
      basis: `2025 TIP Report: ${t.tier}${t.tier === 'Special Case' ? ' (not ranked: conflict or state collapse)' : ''}${t.derived ? ' (derived: ranked in 2023, on no other 2025 list)' : ''}`,
    }
  })

/** Our sectors and the DOL goods that belong to them. */
const SECTOR_GOODS: Record<string, string[]> = {
  garment_textile: [
    'Garments',
    'Textiles',
    'Textiles (hand-woven)',
    'Thread/Yarn',
    'Cotton',
    'Embellished Textiles',
    'Silk Cocoons',
    'Carpets',
    'Cottonseed (hybrid)',
  ],
  footwear_leather: ['Footwear'],
  electronics: [
    'Electronics',
    'Polysilicon',
    'Photovoltaic Ingots',
    'Photovoltaic Wafers',
    'Solar Cells',
    'Solar Modules',
  ],
  seafood_fishing: ['Fish', 'Shrimp', 'Dried Fish', 'Tilapia (fish)'],
  agriculture: [
    'Brazil Nuts/Chestnuts',
    'Beans (green, soy, yellow)',
    'Cattle',
    'Chile Peppers',
    'Cocoa',
    'Coffee',
    'Corn',
    'Cotton',
    'Peanuts',
    'Rice',
    'Rubber',
    'Sesame',
    'Sugarcane',
    'Sunflowers',
    'Tea',
    'Tobacco',
    'Tomatoes',
    'Wheat',
    'Bamboo',
    'Palm Thatch',
    'Teak',
    'Timber',
  ],
  palm_oil: [
    'Palm Fruit',
    'Crude Palm Oil',
    'Refined Palm Oil',
    'Crude Palm Kernel Oil',
    'Refined Palm Kernel Oil',
    'Oleochemicals',
  ],
  food_processing: ['Tomato Products', 'Dried Fish', 'Cocoa', 'Sugarcane'],
  construction: ['Bricks', 'Cement', 'Gravel (crushed stones)', 'Granite', 'Sandstone', 'Stones', 'Timber', 'Nails'],
  mining: [
    'Coal',
    'Diamonds',
    'Gold',
    'Iron',
    'Jade',
    'Rubies',
    'Tantalum ore (coltan)',
    'Tin ore (cassiterite)',
    'Tungsten ore (wolframite)',
    'Granite',
    'Stones',
    'Sandstone',
  ],
  manufacturing_other: [
    'Artificial Flowers',
    'Christmas Decorations',
    'Fireworks',
    'Gloves',
    'Hair Products',
    'Nails',
    'Rubber Gloves',
    'Toys',
    'Charcoal',
  ],
}

const goods = [
  ...csv('forced-labour-goods.csv').filter((r) => r.exploitation === 'forced_labor' || r.exploitation === 'both'),
  // Downstream goods count only when their input is listed for forced labour (not the child-labour-only batteries).
  ...csv('forced-labour-goods-downstream.csv').filter((r) => r.good !== 'Lithium-Ion Batteries'),
]
const listed: Record<string, Record<string, string[]>> = {}
for (const [sector, names] of Object.entries(SECTOR_GOODS)) {
  const byCountry: Record<string, string[]> = {}
  for (const g of goods) {
    if (!names.includes(g.good as string)) continue
    const code = g.country_iso2 as string
    if (!COUNTRIES[code]) throw new Error(`unknown country code ${code} in DOL data`)
    byCountry[code] = [...new Set([...(byCountry[code] ?? []), g.good as string])].sort()
  }
  listed[sector] = Object.fromEntries(Object.entries(byCountry).sort(([a], [b]) => a.localeCompare(b)))
}

const header = (what: string) =>
  `# ${what}\n# Generated by scripts/build-context-tables.ts from public-domain US government data; do not edit by hand.\n`

writeFileSync(
  'questionnaires/rubrics/data/country-risk-2025.yaml',
  header('Country points for inherent risk, from the 2025 US Trafficking in Persons Report tier placements.') +
    stringify(
      {
        source:
          'US Department of State, 2025 Trafficking in Persons Report (released 29 September 2025); tier placements compiled from the report and its mirrors',
        year: 2025,
        scale:
          'Tier 1 = 1, Tier 2 = 2, Tier 2 Watch List = 3, Tier 3 = 4, Special Case = 4; countries the report does not rank get the rubric default',
        countries,
      },
      { lineWidth: 0 },
    ),
)
writeFileSync(
  'questionnaires/rubrics/data/sector-goods-2022.yaml',
  header('Goods listed for forced labour by the US Department of Labor, by our sector and country.') +
    stringify(
      {
        source:
          'US Department of Labor, Bureau of International Labor Affairs, List of Goods Produced by Child Labor or Forced Labor (2022 edition), goods listed for forced labour, with downstream goods made from them',
        year: 2022,
        sectors: listed,
      },
      { lineWidth: 0 },
    ),
)
process.stdout.write(`${countries.length} countries (${tiers.size} ranked), ${Object.keys(listed).length} sectors\n`)
