import Database from 'better-sqlite3'
const db = new Database(process.argv[2], { readonly: true })
db.pragma('temp_store = MEMORY')
const B = db.prepare("select id from organisation where kind='brand'").get().id
function m(name, sql) {
  const st = db.prepare(sql); let r
  const t = []; for (let i = 0; i < 5; i++) { const c = process.cpuUsage(); r = st.all(); const d = process.cpuUsage(c); t.push((d.user + d.system) / 1000) }
  t.sort((a, b) => a - b); console.log(name.padEnd(34), 'cpu p50', t[2].toFixed(0), 'min', t[0].toFixed(0), 'rows', r.length, JSON.stringify(r[0]))
}
const la = `select bs.supplier_id, o.name, (select max(a.id) from assessment a cross join assessment_access acc where a.organisation_id = bs.supplier_id and acc.assessment_id = a.id and acc.organisation_id = ${B} and acc.revoked_at is null) as assessment_id from brand_supplier bs join organisation o on o.id = bs.supplier_id where bs.brand_id = ${B}`
m('scan bs only', `select count(*) from brand_supplier where brand_id = ${B}`)
m('bs+org', `select count(o.name) from brand_supplier bs join organisation o on o.id = bs.supplier_id where bs.brand_id = ${B}`)
m('la only', `select count(assessment_id) from (${la})`)
m('la+lv', `with la as materialized (${la}) select count(*) from la where (select max(ss.snapshot_id) from score_summary ss where ss.assessment_id = la.assessment_id and (ss.reviewer_organisation_id is null or ss.reviewer_organisation_id = ${B})) is not null`)
m('grants group', `select a.organisation_id, max(a.id) from assessment_access acc join assessment a on a.id = acc.assessment_id where acc.organisation_id = ${B} and acc.revoked_at is null group by a.organisation_id`)
m('groupby country,sector', `select o.country, o.sector, count(*) from brand_supplier bs join organisation o on o.id = bs.supplier_id where bs.brand_id = ${B} group by o.country, o.sector`)
m('distinct country', `select distinct o.country from brand_supplier bs join organisation o on o.id = bs.supplier_id where bs.brand_id = ${B}`)
m('sort names', `select o.id from brand_supplier bs join organisation o on o.id = bs.supplier_id where bs.brand_id = ${B} order by o.name, o.id limit 50`)
m('summary scan', `select count(*) from score_summary`)
m('summary rating', `select count(*) from score_summary where rating = 'critical'`)
const lv = `with la as materialized (${la}), lv as materialized (select la.supplier_id, la.name, la.assessment_id, (select max(ss.snapshot_id) from score_summary ss where ss.assessment_id = la.assessment_id and (ss.reviewer_organisation_id is null or ss.reviewer_organisation_id = ${B})) as snapshot_id from la)`
m('ids rating (raw)', `${lv} select lv.supplier_id, count(*) over () from lv left join assessment a on a.id = lv.assessment_id left join score_summary sm on sm.snapshot_id = lv.snapshot_id order by case sm.rating when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 9 end, lv.name, lv.supplier_id limit 50`)
m('ids rating no a join', `${lv} select lv.supplier_id, count(*) over () from lv left join score_summary sm on sm.snapshot_id = lv.snapshot_id order by case sm.rating when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 9 end, lv.name, lv.supplier_id limit 50`)
m('lv + sm rating only', `${lv} select count(sm.rating) from lv left join score_summary sm on sm.snapshot_id = lv.snapshot_id`)
