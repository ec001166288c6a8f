import Database from 'better-sqlite3'
const db = new Database(process.argv[2])
db.exec('create table if not exists ss2 (snapshot_id integer primary key, assessment_id int, reviewer_organisation_id int, rating text, control_overall real, inherent_score real, active_red_flags int, gap_count int, confidence text, sections text); insert or ignore into ss2 select * from ss_narrow')
const B = db.prepare("select id from organisation where kind='brand'").get().id
for (const t of ['score_summary', 'ss2']) {
  const s = `select count(sm.rating) from brand_supplier bs left join ${t} sm on sm.snapshot_id = bs.supplier_id where bs.brand_id = ${B}`
  db.prepare(s).all()
  const c = process.cpuUsage(); for (let i=0;i<5;i++) db.prepare(s).all(); const d = process.cpuUsage(c); console.log(t, (d.user+d.system)/5000)
}
