import Database from 'better-sqlite3'
const db = new Database(process.argv[2], { readonly: true })
const B = db.prepare("select id from organisation where kind='brand'").get().id
const sql = `select count(sm.rating) from brand_supplier bs left join score_summary sm on sm.snapshot_id = bs.supplier_id where bs.brand_id = ${B}`
for (const r of db.prepare('explain query plan ' + sql).all()) console.log(r.detail)
const sql2 = `select count(sm.rating) from brand_supplier bs left join score_summary sm indexed by score_summary_keys_idx on sm.snapshot_id = bs.supplier_id where bs.brand_id = ${B}`
for (const r of db.prepare('explain query plan ' + sql2).all()) console.log(r.detail)
for (const s of [sql, sql2]) { const c = process.cpuUsage(); for (let i=0;i<5;i++) db.prepare(s).all(); const d = process.cpuUsage(c); console.log((d.user+d.system)/5000) }
