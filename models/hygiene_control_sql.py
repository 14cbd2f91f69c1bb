"""The SQL of the scores (issue 18), kept apart from the service that fills in its parameters.

``SCORE_CHUNK_QUERY`` computes and upserts the quality and engagement of one chunk of contacts;
``RFM_QUERY`` scores the customers by quintile and appends the history of their segments. Both
are templates for ``odoo.tools.SQL`` (named parameters, never string formatting).
"""

SCORE_CHUNK_QUERY = """
WITH chunk AS MATERIALIZED (SELECT DISTINCT unnest(%(ids)s::int[]) AS id),
-- the consents and pending duplicates of the chunk's contacts only: read through the
-- partner_id indexes (per-row EXISTS became a hashed scan of the whole tables per chunk)
consents AS MATERIALIZED (
    SELECT c.partner_id, bool_or(c.state = 'granted') AS granted,
           bool_or(c.state IN ('withdrawn', 'refused')) AS answered
      FROM hygiene_consent_state c
     WHERE c.partner_id IN (SELECT id FROM chunk)
  GROUP BY c.partner_id
),
pending AS MATERIALIZED (
    SELECT DISTINCT r.partner_id
      FROM hygiene_duplicate_group_partner_rel r
      JOIN hygiene_duplicate_group g ON g.id = r.group_id AND g.state = 'pending'
     WHERE r.partner_id IN (SELECT id FROM chunk)
),
traces AS MATERIALIZED (%(traces)s),
base AS MATERIALIZED (
    SELECT p.id, p.company_id, p.hygiene_source_id AS source_id, p.is_company,
           p.hygiene_last_activity_date, p.hygiene_last_activity_source AS last_source,
           COALESCE(p.name, '') != '' AS has_name,
           COALESCE(p.email, '') != '' AS has_email,
           p.hygiene_email_key IS NOT NULL AS email_key_ok,
           COALESCE(p.hygiene_email_bounced, FALSE) AS bounced,
           bl.id IS NOT NULL AS blacklisted,
           COALESCE(p.phone, '') != '' OR COALESCE(p.mobile, '') != '' AS has_phone,
           p.hygiene_phone_key IS NOT NULL OR p.hygiene_mobile_key IS NOT NULL
               AS phone_ok,
           (COALESCE(p.phone, '') != '' AND p.hygiene_phone_key IS NULL)
               OR (COALESCE(p.mobile, '') != '' AND p.hygiene_mobile_key IS NULL)
               AS phone_bad,
           COALESCE(p.street, '') != ''
               AND (COALESCE(p.zip, '') != '' OR COALESCE(p.city, '') != '')
               AS has_address,
           p.country_id IS NOT NULL AS has_country,
           COALESCE(p.vat, '') != '' OR COALESCE(p.company_registry, '') != ''
               AS has_company_id,
           p.hygiene_company_key IS NOT NULL AS company_id_ok,
           COALESCE(p.hygiene_last_activity_date, p.hygiene_collected_date,
                    p.create_date) AS ref_date,
           COALESCE(p.hygiene_collected_date, p.create_date) AS known_since,
           pd.partner_id IS NOT NULL AS duplicate,
           COALESCE(cs.granted, FALSE) AS granted,
           COALESCE(cs.answered, FALSE) AS answered
      FROM chunk
      JOIN res_partner p ON p.id = chunk.id
 LEFT JOIN mail_blacklist bl ON bl.email = p.email_normalized AND bl.active
 LEFT JOIN consents cs ON cs.partner_id = p.id
 LEFT JOIN pending pd ON pd.partner_id = p.id
     WHERE p.active
),
flags AS (
    SELECT b.*,
           b.has_email AND b.email_key_ok AND NOT b.bounced AS email_valid,
           b.has_email AND (NOT b.email_key_ok OR b.bounced) AS email_invalid,
           NOT (b.has_email AND b.email_key_ok AND NOT b.bounced AND NOT b.blacklisted)
               AND NOT b.phone_ok AND NOT b.has_address AS no_contact,
           CASE WHEN b.ref_date >= %(now)s::timestamp - INTERVAL '12 months'
                THEN %(fresh)s
                WHEN b.ref_date >= %(now)s::timestamp - INTERVAL '36 months'
                THEN %(fresh)s / 2 ELSE 0 END AS freshness
      FROM base b
),
weights(kind, weight) AS (VALUES %(weights)s),
events AS (
    SELECT e.partner_id, MAX(e.date) AS last_date,
           -- float8 arithmetic: EXTRACT returns numeric, slow on many rows
           SUM(w.weight * EXP(-0.6931471805599453 * GREATEST(EXTRACT(EPOCH FROM
               (%(now)s::timestamp - e.date))::float8 / 86400.0, 0.0)
               / %(half_life)s::float8)) AS raw
      FROM (%(events)s) AS e(partner_id, date, kind)
      JOIN weights w ON w.kind = e.kind
     WHERE e.date <= %(now)s
  GROUP BY e.partner_id
),
sends AS (
    SELECT partner_id, COUNT(*) AS sends FROM traces
     WHERE sent_datetime IS NOT NULL GROUP BY partner_id
),
scored AS (
    SELECT f.*,
           (CASE WHEN f.has_name THEN 5 ELSE 0 END
            + CASE WHEN f.has_email THEN 5 ELSE 0 END
            + CASE WHEN f.has_phone THEN 5 ELSE 0 END
            + CASE WHEN f.has_address THEN 5 ELSE 0 END
            + CASE WHEN f.has_country THEN 5 ELSE 0 END) AS completeness,
           (CASE WHEN f.email_valid THEN 12 ELSE 0 END
            + CASE WHEN f.phone_ok AND NOT f.phone_bad THEN 10
                   WHEN f.phone_ok THEN 5 ELSE 0 END
            + CASE WHEN f.company_id_ok THEN 8
                   WHEN f.has_company_id OR f.is_company THEN 0 ELSE 8 END)
               AS validity,
           COALESCE(ev.raw, 0) AS raw, ev.last_date,
           COALESCE(sd.sends, 0) AS sends
      FROM flags f
 LEFT JOIN events ev ON ev.partner_id = f.id
 LEFT JOIN sends sd ON sd.partner_id = f.id
)
INSERT INTO hygiene_partner_score AS s (
       partner_id, company_id, source_id, computed_date, quality_score,
       quality_completeness, quality_validity, quality_freshness, quality_reasons,
       email_valid, phone_valid, email_invalid, no_contact, duplicate, no_consent,
       engagement_score, engagement_raw, last_engagement_date, do_not_solicit,
       next_check_date, partner_count, create_date, write_date)
SELECT id, company_id, source_id, %(now)s,
       completeness + validity + freshness
           + CASE WHEN duplicate THEN 0 ELSE %(dup)s END
           + CASE WHEN granted THEN %(consent)s
                  WHEN answered THEN %(consent)s * 2 / 3 ELSE 0 END,
       completeness, validity, freshness,
       NULLIF(array_to_string(ARRAY[
           CASE WHEN NOT has_name THEN 'no_name' END,
           CASE WHEN NOT has_email THEN 'no_email' END,
           CASE WHEN has_email AND NOT email_key_ok THEN 'email_invalid' END,
           CASE WHEN has_email AND email_key_ok AND bounced THEN 'email_bounced' END,
           CASE WHEN blacklisted THEN 'email_blacklisted' END,
           CASE WHEN NOT has_phone THEN 'no_phone' END,
           CASE WHEN phone_bad THEN 'phone_invalid' END,
           CASE WHEN NOT has_address THEN 'no_address' END,
           CASE WHEN NOT has_country THEN 'no_country' END,
           CASE WHEN is_company AND NOT has_company_id THEN 'no_company_id' END,
           CASE WHEN has_company_id AND NOT company_id_ok
                THEN 'company_id_invalid' END,
           CASE WHEN freshness = 0 THEN 'stale'
                WHEN freshness < %(fresh)s THEN 'aging' END,
           CASE WHEN duplicate THEN 'duplicate' END,
           CASE WHEN NOT granted THEN 'no_consent' END,
           CASE WHEN no_contact THEN 'no_contact' END
       ], ','), ''),
       email_valid, phone_ok,
       NULLIF(email_invalid, FALSE), NULLIF(no_contact, FALSE),
       NULLIF(duplicate, FALSE), NULLIF(NOT granted, FALSE),
       ROUND(100 * (1 - EXP(-raw / 40.0)))::int, raw, last_date,
       CASE WHEN last_date IS NULL AND (sends >= %(dns_sends)s
                 OR known_since < %(now)s::timestamp - %(dns_months)s
                    * INTERVAL '1 month')
            THEN TRUE END,
       -- the next moment time alone changes the row (LEAST ignores NULLs); a day of margin
       -- as month arithmetic is not exactly reversible
       LEAST(
           CASE WHEN freshness = %(fresh)s THEN ref_date + INTERVAL '12 months 1 day'
                WHEN freshness > 0 THEN ref_date + INTERVAL '36 months 1 day' END,
           CASE WHEN last_date IS NULL AND sends < %(dns_sends)s
                     AND known_since >= %(now)s::timestamp - %(dns_months)s * INTERVAL '1 month'
                THEN known_since + %(dns_months)s * INTERVAL '1 month' + INTERVAL '1 day' END,
           CASE WHEN raw > 0 THEN %(now)s::timestamp + %(decay_days)s * INTERVAL '1 day' END),
       1, %(now)s, %(now)s
  FROM scored
ON CONFLICT (partner_id) DO UPDATE SET
       company_id = EXCLUDED.company_id,
       source_id = EXCLUDED.source_id,
       computed_date = EXCLUDED.computed_date,
       quality_score = EXCLUDED.quality_score,
       quality_completeness = EXCLUDED.quality_completeness,
       quality_validity = EXCLUDED.quality_validity,
       quality_freshness = EXCLUDED.quality_freshness,
       quality_reasons = EXCLUDED.quality_reasons,
       email_valid = EXCLUDED.email_valid,
       phone_valid = EXCLUDED.phone_valid,
       email_invalid = EXCLUDED.email_invalid,
       no_contact = EXCLUDED.no_contact,
       duplicate = EXCLUDED.duplicate,
       no_consent = EXCLUDED.no_consent,
       engagement_score = EXCLUDED.engagement_score,
       engagement_raw = EXCLUDED.engagement_raw,
       last_engagement_date = EXCLUDED.last_engagement_date,
       do_not_solicit = EXCLUDED.do_not_solicit,
       next_check_date = EXCLUDED.next_check_date,
       write_date = EXCLUDED.write_date
 -- an unchanged row is not rewritten (no dead tuple, no index or trigger work)
 WHERE (s.company_id, s.source_id, s.quality_score, s.quality_completeness,
        s.quality_validity, s.quality_freshness, s.quality_reasons, s.email_valid,
        s.phone_valid, s.email_invalid, s.no_contact, s.duplicate, s.no_consent,
        s.engagement_score, s.engagement_raw, s.last_engagement_date,
        s.do_not_solicit, s.next_check_date)
       IS DISTINCT FROM
       (EXCLUDED.company_id, EXCLUDED.source_id, EXCLUDED.quality_score,
        EXCLUDED.quality_completeness, EXCLUDED.quality_validity,
        EXCLUDED.quality_freshness, EXCLUDED.quality_reasons, EXCLUDED.email_valid,
        EXCLUDED.phone_valid, EXCLUDED.email_invalid, EXCLUDED.no_contact,
        EXCLUDED.duplicate, EXCLUDED.no_consent, EXCLUDED.engagement_score,
        EXCLUDED.engagement_raw, EXCLUDED.last_engagement_date,
        EXCLUDED.do_not_solicit, EXCLUDED.next_check_date)
"""


RFM_QUERY = """
WITH orders(partner_id, date, amount, is_order) AS (%(orders)s),
customers AS (
    -- credit notes reduce the amount (never below zero), not the frequency nor the recency
    SELECT partner_id, MAX(date) FILTER (WHERE is_order) AS last_date,
           COUNT(*) FILTER (WHERE is_order) AS orders,
           GREATEST(SUM(amount), 0) AS amount
      FROM orders GROUP BY partner_id
    HAVING COUNT(*) FILTER (WHERE is_order) > 0
),
quintiles AS (
    SELECT partner_id, last_date, orders, amount,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY last_date)))::int
               AS r,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY orders)))::int
               AS f,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY amount)))::int
               AS m
      FROM customers
),
labelled AS (
    SELECT q.*, ROUND((q.f + q.m) / 2.0)::int AS fm FROM quintiles q
),
target AS (
    SELECT l.partner_id, l.last_date, l.orders, l.amount, l.r, l.f, l.m,
           CASE WHEN l.r = 5 AND l.f = 1 THEN 'new'
                WHEN l.r >= 4 AND l.fm >= 4 THEN 'champions'
                WHEN l.r >= 3 AND l.fm >= 3 THEN 'loyal'
                WHEN l.r >= 4 THEN 'promising'
                WHEN l.r = 3 THEN 'need_attention'
                WHEN l.fm >= 4 THEN 'cannot_lose'
                WHEN l.fm = 3 THEN 'at_risk'
                WHEN l.r = 2 THEN 'hibernating'
                ELSE 'lost' END AS label
      FROM labelled l
    UNION ALL
    -- scored before and no order in the period any more: lost
    SELECT s.partner_id, s.rfm_last_order_date, 0, 0, 1, 1, 1, 'lost'
      FROM hygiene_partner_score s
     WHERE s.rfm_label IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM customers c
                        WHERE c.partner_id = s.partner_id)
),
changed AS (
    SELECT t.*, s.rfm_label AS previous
      FROM target t JOIN hygiene_partner_score s ON s.partner_id = t.partner_id
     WHERE s.rfm_label IS DISTINCT FROM t.label
        OR s.rfm_recency IS DISTINCT FROM t.r
        OR s.rfm_frequency IS DISTINCT FROM t.f
        OR s.rfm_monetary IS DISTINCT FROM t.m
        OR s.rfm_orders IS DISTINCT FROM t.orders
        OR s.rfm_amount IS DISTINCT FROM t.amount
        OR s.rfm_last_order_date IS DISTINCT FROM t.last_date
),
updated AS (
    UPDATE hygiene_partner_score s
       SET rfm_recency = c.r, rfm_frequency = c.f, rfm_monetary = c.m,
           rfm_code = c.r::text || c.f::text || c.m::text,
           rfm_label = c.label, rfm_orders = c.orders, rfm_amount = c.amount,
           rfm_last_order_date = c.last_date, write_date = %(now)s
      FROM changed c
     WHERE s.partner_id = c.partner_id
 RETURNING s.partner_id, s.company_id, c.label, c.previous, c.r, c.f, c.m
)
INSERT INTO hygiene_rfm_history
       (partner_id, company_id, date, label, previous_label, rfm_code,
        create_uid, create_date, write_uid, write_date)
SELECT partner_id, company_id, %(now)s, label, previous,
       r::text || f::text || m::text, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM updated
 WHERE label IS DISTINCT FROM previous
"""
