-- Test data for workos-primary.sql (load that first, into an empty database):
--   psql "$URL" -v ON_ERROR_STOP=1 -f workos-primary.sql -f workos-primary-data.sql
--
-- Every time is relative to the moment of loading, so "today" is today whenever the tests run:
--   * `timestamp` columns get UTC wall-clock values, (now() AT TIME ZONE 'UTC') - <age>, truncated to
--     milliseconds like a JavaScript Date; the session TimeZone does not change what is stored.
--   * `timestamptz` columns get now() - <age>.
--   * `date` columns (daily_goals.date, last_goal_hit_date, habits.last_completed_date) are UTC dates:
--     (now() AT TIME ZONE 'UTC')::date - <days>.
-- The tasks "done today" were completed 1 to 7 minutes before loading, so they are today in the local
-- time zone too unless the tests run within minutes after local midnight.
--
-- What a reader should find (work tasks done today; points as WorkOS computes them):
--   task 21 deliverable, points_final 4            -> 4   Acme Corp
--   task 22 checkbox, points_final 1               -> 1   Globex
--   task 23 checkbox, points_final 1               -> 1   Internal Ops (type internal)
--   task 24 progress, points_final 3 (override)    -> 3   Müller & O'Brien
--   task 25 value_tier NULL, points_ai_guess 2     -> 2   Initech (type project)
--   task 26 value_tier 'quick-win' (unknown), no ai guess, effort_estimate 3 -> 3   Acme Corp
--   task 27 is done today but personal             -> not counted
--   earned today 14 ("minimum_only": >= 12, < 15 and < 18, at any hour); 6 tasks;
--   clients touched 4 (Acme, Globex, Initech, Müller) of 5 non-internal clients (Hooli is inactive
--   but still type 'client'); today's goal row: target_points 18, adjusted_target_points 15,
--   earned_points 6 and task_count 2 (the web app's view, stale on purpose), current_streak 3.
-- What the WorkOS MCP sync would copy into its cache: 6 clients, 33 tasks (category work; done ones
-- only when completed in the last 90 days or with completed_at NULL, like task 37), the 30 newest of
-- the 40 daily_goals rows, 5 habits.
-- Task ids have gaps (20 and 38 were "deleted"); task 32 is referenced by brain_dump and
-- energy_feedback (NO ACTION foreign keys), so it cannot be deleted.

BEGIN;  -- one transaction: now() is the same instant for every row

-- ---------------------------------------------------------------------------------------------------
-- clients: one internal, one project, one inactive, one name with non-ASCII and a quote
-- ---------------------------------------------------------------------------------------------------
INSERT INTO clients (id, name, type, color, is_active, created_at)
SELECT v.id, v.name, v.type, v.color, v.is_active, n.utc - v.age::interval
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc) n,
(VALUES
  (1, 'Acme Corp',          'client',   '#3b82f6', 1, '400 days'),
  (2, 'Globex',             'client',   '#10b981', 1, '380 days 4 hours'),
  (3, 'Initech',            'project',  '#f59e0b', 1, '200 days'),
  (4, 'Internal Ops',       'internal', '#6b7280', 1, '420 days'),
  (5, 'Müller & O''Brien',  'client',   NULL,      1, '150 days 30 minutes'),
  (6, 'Hooli',              'client',   '#a855f7', 0, '500 days')
) AS v(id, name, type, color, is_active, age);

-- ---------------------------------------------------------------------------------------------------
-- tasks: ages are intervals before the load; NULL age = NULL column
-- ---------------------------------------------------------------------------------------------------
INSERT INTO tasks (id, client_id, title, description, status, category, value_tier, effort_estimate,
                   effort_actual, drain_type, cognitive_load, sort_order, subtasks,
                   created_at, updated_at, completed_at, backlog_entered_at,
                   points_ai_guess, points_final, points_adjusted_at)
SELECT v.id, v.client_id, v.title, v.description, v.status, v.category, v.value_tier, v.effort_estimate,
       v.effort_actual, v.drain_type, v.cognitive_load, v.sort_order, v.subtasks::jsonb,
       n.utc - v.created_age::interval, n.utc - v.updated_age::interval, n.utc - v.completed_age::interval,
       n.ts - v.backlog_age::interval,
       v.points_ai_guess, v.points_final, n.ts - v.adjusted_age::interval
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc,
             date_trunc('milliseconds', now()) AS ts) n,
(VALUES
  -- active
  ( 1, 1,    'Draft Q3 proposal',                      'Scope, timeline and pricing for the Q3 retainer',     'active',  'work',     'deliverable',  3, NULL, 'deep',    'high',      1, '[{"title": "Outline", "done": true}, {"title": "Pricing table", "done": false}, {"title": "Internal review", "done": false}]', '12 days', '2 hours', NULL, NULL, 4, NULL, NULL),
  ( 2, 2,    'Fix login redirect loop',                NULL,                                                  'active',  'work',     'progress',     2, NULL, 'shallow', 'medium',    2, '[]',                                                                                                       '5 days',  '1 day',   NULL, NULL, NULL, NULL, NULL),
  ( 3, 4,    'Update invoicing template',              NULL,                                                  'active',  'work',     'checkbox',     1, NULL, 'admin',   'low',       3, '[]',                                                                                                       '3 days',  '3 days',  NULL, NULL, NULL, NULL, NULL),
  ( 4, NULL, 'Plan team offsite',                      E'Venue, agenda, budget.\nAsk finance about the cap.', 'active',  'work',     'milestone',    5, NULL, 'deep',    NULL,        4, '[{"title": "Shortlist venues", "done": true}, {"title": "Draft agenda", "done": true}]',              '20 days', '4 hours', NULL, NULL, 6, NULL, NULL),
  ( 5, 3,    'Migrate reporting to v2',                NULL,                                                  'active',  'work',     NULL,           3, NULL, 'deep',    'high',      5, '[]',                                                                                                       '30 days', '6 hours', NULL, NULL, 5, NULL, NULL),
  ( 6, NULL, 'Call the insurance company',             NULL,                                                  'active',  'personal', 'checkbox',     1, NULL, NULL,      NULL,        6, '[]',                                                                                                       '2 days',  '2 days',  NULL, NULL, NULL, NULL, NULL),
  (41, NULL, 'Inbox triage',                           NULL,                                                  'active',  'work',     'checkbox',     1, NULL, 'admin',   'low',       7, '[]',                                                                                                       '1 day',   '1 day',   NULL, NULL, NULL, NULL, NULL),
  -- queued
  ( 7, 1,    'Prepare kickoff deck',                   NULL,                                                  'queued',  'work',     'progress',     2, NULL, 'shallow', 'medium',    1, '[]',                                                                                                       '8 days',  '8 days',  NULL, NULL, NULL, NULL, NULL),
  ( 8, 2,    'Write API reference for /v2/orders',     'Every endpoint with a "curl" example',                'queued',  'work',     'deliverable',  4, NULL, 'deep',    'high',      2, '[{"title": "Endpoints", "done": false}, {"title": "Examples", "done": false}]',                      '15 days', '2 days',  NULL, NULL, 4, NULL, NULL),
  ( 9, 5,    'Security questionnaire',                 NULL,                                                  'queued',  'work',     'checkbox',     1, NULL, 'admin',   'low',       3, '[]',                                                                                                       '9 days',  '9 days',  NULL, NULL, NULL, NULL, NULL),
  (10, 3,    'Data import dry run',                    NULL,                                                  'queued',  'work',     'quick-win',    1, NULL, 'shallow', 'low',       4, '[]',                                                                                                       '6 days',  '6 days',  NULL, NULL, NULL, NULL, NULL),
  (11, 6,    'Archive old contracts',                  NULL,                                                  'queued',  'work',     'checkbox',     1, NULL, 'admin',   NULL,        5, '[]',                                                                                                       '90 days', '60 days', NULL, NULL, NULL, NULL, NULL),
  (12, NULL, 'Read RFC drafts',                        NULL,                                                  'queued',  'work',     'progress',     2, NULL, NULL,      NULL,        6, NULL,                                                                                                       '4 days',  '4 days',  NULL, NULL, NULL, NULL, NULL),
  -- backlog
  (13, 1,    'Explore dashboard redesign',             NULL,                                                  'backlog', 'work',     'milestone',    8, NULL, 'deep',    'high',      0, '[]',                                                                                                       '40 days', '40 days', NULL, '40 days', 7, NULL, NULL),
  (14, 2,    'Evaluate new CI provider',               NULL,                                                  'backlog', 'work',     'progress',     2, NULL, 'deep',    'medium',    0, '[]',                                                                                                       '25 days', '25 days', NULL, '25 days', NULL, NULL, NULL),
  (15, 4,    'Clean up shared drive',                  NULL,                                                  'backlog', 'work',     'checkbox',     1, NULL, 'admin',   'low',       0, '[]',                                                                                                       '70 days', '70 days', NULL, '70 days', NULL, NULL, NULL),
  (16, 5,    'Quarterly review prep',                  E'Q3 — revenue €, churn, NPS 🚀\n"Use last quarter''s template"', 'backlog', 'work', 'deliverable', 4, NULL, 'deep', 'medium', 0, '[{"title": "Pull numbers", "done": false}]',                                          '18 days', '10 days', NULL, '18 days', NULL, NULL, NULL),
  (17, NULL, 'Renew passport',                         NULL,                                                  'backlog', 'personal', 'checkbox',     1, NULL, NULL,      NULL,        0, '[]',                                                                                                       '33 days', '33 days', NULL, '33 days', NULL, NULL, NULL),
  (18, 3,    'Performance audit',                      NULL,                                                  'backlog', 'work',     'deliverable',  4, NULL, 'deep',    'high',      0, '[]',                                                                                                       '150 days','150 days',NULL, NULL,      NULL, NULL, NULL),
  (19, 6,    'Follow up on unpaid invoice',            NULL,                                                  'backlog', 'work',     'progress',     2, NULL, 'admin',   'low',       0, '[]',                                                                                                       '95 days', '95 days', NULL, '95 days', NULL, NULL, NULL),
  (39, 2,    '🚀 Launch checklist',                    NULL,                                                  'backlog', 'work',     'milestone',    6, NULL, 'deep',    'high',      1, '[{"title": "DNS", "done": true}, {"title": "Status page", "done": false}, {"title": "Announce", "done": false}]', '3 days', '1 day', NULL, '3 days', 7, NULL, NULL),
  (40, 3,    'Research spike: event sourcing',         NULL,                                                  'backlog', 'work',     'progress',     3, NULL, 'deep',    'high',      2, '[]',                                                                                                       '11 days', '11 days', NULL, '11 days', NULL, NULL, NULL),
  -- done today (minutes before the load)
  (21, 1,    'Send signed SOW',                        NULL,                                                  'done',    'work',     'deliverable',  3, 2,    'admin',   'medium',    0, '[{"title": "Signature", "done": true}]',                                                               '6 days',  '1 minute',  '1 minute',  NULL, 4, 4, NULL),
  (22, 2,    'Reply to vendor emails',                 NULL,                                                  'done',    'work',     'checkbox',     1, 1,    'shallow', 'low',       0, '[]',                                                                                                       '2 days',  '2 minutes', '2 minutes', NULL, NULL, 1, NULL),
  (23, 4,    'File expense report',                    NULL,                                                  'done',    'work',     'checkbox',     1, 1,    'admin',   'low',       0, '[]',                                                                                                       '4 days',  '3 minutes', '3 minutes', NULL, NULL, 1, NULL),
  (24, 5,    'Ship onboarding guide',                  NULL,                                                  'done',    'work',     'progress',     2, 3,    'deep',    'medium',    0, '[{"title": "Draft", "done": true}, {"title": "Screenshots", "done": true}]',                        '7 days',  '4 minutes', '4 minutes', NULL, 2, 3, '30 minutes'),
  (25, 3,    'Triage bug backlog',                     NULL,                                                  'done',    'work',     NULL,           5, NULL, 'shallow', NULL,        0, '[]',                                                                                                       '3 days',  '5 minutes', '5 minutes', NULL, 2, NULL, NULL),
  (26, 1,    'Customer call notes',                    NULL,                                                  'done',    'work',     'quick-win',    3, NULL, 'shallow', NULL,        0, '[]',                                                                                                       '1 day',   '6 minutes', '6 minutes', NULL, NULL, NULL, NULL),
  (27, NULL, 'Gym session',                            NULL,                                                  'done',    'personal', 'checkbox',     1, NULL, NULL,      NULL,        0, '[]',                                                                                                       '1 day',   '7 minutes', '7 minutes', NULL, NULL, 1, NULL),
  -- done yesterday and earlier
  (28, 1,    'Go-live: customer portal',               NULL,                                                  'done',    'work',     'milestone',    8, 9,    'deep',    'high',      0, '[]',                                                                                                       '30 days', '1 day 5 minutes',  '1 day 5 minutes',  NULL, 7, 7, NULL),
  (29, 2,    'Code review for payments PR',            NULL,                                                  'done',    'work',     'progress',     2, 2,    'deep',    'medium',    0, '[]',                                                                                                       '3 days',  '1 day 30 minutes', '1 day 30 minutes', NULL, NULL, 2, NULL),
  (30, NULL, 'Grocery run',                            NULL,                                                  'done',    'personal', 'checkbox',     1, NULL, NULL,      NULL,        0, '[]',                                                                                                       '2 days',  '1 day 10 minutes', '1 day 10 minutes', NULL, NULL, 1, NULL),
  (42, 5,    'Send invoice #1042',                     NULL,                                                  'done',    'work',     'checkbox',     1, 1,    'admin',   'low',       0, '[]',                                                                                                       '5 days',  '2 days',  '2 days',  NULL, NULL, 1, NULL),
  (31, 3,    'Sprint retro notes',                     NULL,                                                  'done',    'work',     'checkbox',     1, 1,    'shallow', 'low',       0, '[]',                                                                                                       '12 days', '10 days', '10 days', NULL, NULL, 1, NULL),
  (32, 5,    'Contract redlines',                      NULL,                                                  'done',    'work',     'deliverable',  4, 5,    'deep',    'high',      0, '[]',                                                                                                       '50 days', '45 days', '45 days', '49 days', NULL, 4, NULL),
  (33, 2,    'Database backup check',                  NULL,                                                  'done',    'work',     'progress',     2, 2,    'admin',   'low',       0, '[]',                                                                                                       '92 days', '89 days', '89 days', NULL, NULL, 2, NULL),
  (34, 1,    'Kickoff workshop',                       NULL,                                                  'done',    'work',     'milestone',    8, 8,    'deep',    'high',      0, '[]',                                                                                                       '120 days','91 days', '91 days', NULL, NULL, 7, NULL),
  (35, 2,    'Legacy SSO integration',                 NULL,                                                  'done',    'work',     'deliverable',  5, 6,    'deep',    'high',      0, '[]',                                                                                                       '130 days','100 days','100 days',NULL, NULL, 4, NULL),
  (36, 6,    'Hooli final report',                     NULL,                                                  'done',    'work',     'deliverable',  4, 4,    'deep',    NULL,        0, '[]',                                                                                                       '140 days','100 days 2 hours','100 days 2 hours', NULL, NULL, 4, NULL),
  (37, 4,    'Rotate shared passwords',                'Marked done before completed_at was recorded',        'done',    'work',     'checkbox',     1, NULL, 'admin',   NULL,        0, '[]',                                                                                                       '200 days','150 days', NULL,      NULL, NULL, NULL, NULL)
) AS v(id, client_id, title, description, status, category, value_tier, effort_estimate, effort_actual,
       drain_type, cognitive_load, sort_order, subtasks, created_age, updated_age, completed_age,
       backlog_age, points_ai_guess, points_final, adjusted_age);

-- ---------------------------------------------------------------------------------------------------
-- daily_goals: the last 40 days (0 = today, UTC date), as the web app leaves them. target_points stays
-- 18; adjusted_target_points is set on energy-adjusted days (today 15). A day is hit when earned_points
-- reaches its effective target; streak 3 going into today.
-- ---------------------------------------------------------------------------------------------------
INSERT INTO daily_goals (date, target_points, earned_points, task_count, current_streak, longest_streak,
                         last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at,
                         adjusted_target_points, readiness_score, energy_level, adjustment_reason)
SELECT n.today - v.days_ago, v.target_points, v.earned_points, v.task_count, v.current_streak,
       v.longest_streak, n.today - v.last_hit_days_ago, v.daily_debt, v.weekly_debt, v.pressure_level,
       CASE WHEN v.days_ago = 0 THEN n.ts - interval '20 minutes'
            ELSE ((n.today - v.days_ago)::timestamp + interval '22 hours 15 minutes') AT TIME ZONE 'UTC' END,
       v.adjusted_target_points, v.readiness_score, v.energy_level, v.adjustment_reason
FROM (SELECT (now() AT TIME ZONE 'UTC')::date AS today, date_trunc('milliseconds', now()) AS ts) n,
(VALUES
  -- days_ago target earned tasks streak longest last_hit debt weekly pressure adjusted readiness energy reason
    (39, 18,  1, 1, 0,  9, NULL, 17, 17, 5, NULL, NULL, NULL, NULL),
    (38, 18, 19, 6, 1,  9,   38,  0, 17, 1, NULL, NULL, NULL, NULL),
    (37, 18,  8, 2, 0,  9,   38, 10, 27, 5, NULL, NULL, NULL, NULL),
    (36, 18, 26, 8, 1,  9,   36,  0, 27, 2, NULL, NULL, NULL, NULL),
    (35, 18, 15, 5, 0,  9,   36,  3, 30, 4, NULL, NULL, NULL, NULL),
    (34, 18,  4, 1, 0,  9,   36, 14, 44, 5, NULL, NULL, NULL, NULL),
    (33, 18, 22, 7, 1,  9,   33,  0, 27, 2, NULL, NULL, NULL, NULL),
    (32, 18, 11, 3, 0,  9,   33,  7, 34, 5, NULL, NULL, NULL, NULL),
    (31, 18,  0, 0, 0,  9,   33, 18, 42, 5, NULL, NULL, NULL, NULL),
    (30, 18, 18, 6, 1,  9,   30,  0, 42, 2, NULL, NULL, NULL, NULL),
    (29, 18,  7, 2, 0,  9,   30, 11, 50, 5, NULL, NULL, NULL, NULL),
    (28, 18, 25, 8, 1,  9,   28,  0, 36, 2, NULL, NULL, NULL, NULL),
    (27, 18, 14, 4, 0,  9,   28,  4, 40, 5, NULL, NULL, NULL, NULL),
    (26, 18,  3, 1, 0,  9,   28, 15, 48, 5, NULL, NULL, NULL, NULL),
    (25, 18, 21, 7, 1,  9,   25,  0, 30, 2, NULL, NULL, NULL, NULL),
    (24, 18, 10, 3, 0,  9,   25,  8, 38, 5, NULL, NULL, NULL, NULL),
    (23, 18, 28, 9, 1,  9,   23,  0, 27, 2, NULL, NULL, NULL, NULL),
    (22, 18, 17, 5, 0,  9,   23,  1, 28, 3, NULL, NULL, NULL, NULL),
    (21, 18,  6, 2, 0,  9,   23, 12, 36, 5, NULL, NULL, NULL, NULL),
    (20, 18, 24, 8, 1,  9,   20,  0, 21, 2,   15,   70, 'medium', 'Readiness 70 (medium): target lowered from 18 to 15'),
    (19, 18, 13, 4, 0,  9,   20,  5, 26, 5, NULL, NULL, NULL, NULL),
    (18, 18,  2, 1, 0,  9,   20, 16, 34, 5, NULL, NULL, NULL, NULL),
    (17, 18, 20, 6, 1,  9,   17,  0, 34, 2, NULL, NULL, NULL, NULL),
    (16, 18,  9, 3, 0,  9,   17,  9, 42, 5, NULL, NULL, NULL, NULL),
    (15, 18, 27, 9, 1,  9,   15,  0, 30, 2, NULL, NULL, NULL, NULL),
    (14, 18, 16, 5, 0,  9,   15,  2, 32, 4, NULL, NULL, NULL, NULL),
    (13, 18,  5, 1, 0,  9,   15, 13, 40, 5, NULL, NULL, NULL, NULL),
    (12, 18, 23, 7, 1,  9,   12,  0, 24, 2,   20,   88, 'high', 'Readiness 88 (high): target raised from 18 to 20'),
    (11, 18, 12, 4, 0,  9,   12,  6, 30, 5, NULL, NULL, NULL, NULL),
    (10, 18, 24, 8, 1,  9,   10,  0, 21, 2, NULL, NULL, NULL, NULL),
    ( 9, 18, 18, 6, 2,  9,    9,  0, 21, 2, NULL, NULL, NULL, NULL),
    ( 8, 18,  0, 0, 0,  9,    9, 18, 37, 5, NULL, NULL, NULL, NULL),
    ( 7, 18,  0, 0, 0,  9,    9, 18, 42, 5, NULL, NULL, NULL, NULL),
    ( 6, 18, 21, 7, 1,  9,    6,  0, 42, 2, NULL, NULL, NULL, NULL),
    ( 5, 18, 13, 4, 2,  9,    5,  0, 36, 5,   12,   52, 'low', 'Readiness 52 (low): target lowered from 18 to 12'),
    ( 4, 18,  9, 3, 0,  9,    5,  9, 45, 5, NULL, NULL, NULL, NULL),
    ( 3, 18, 18, 6, 1,  9,    3,  0, 45, 2, NULL, NULL, NULL, NULL),
    ( 2, 18, 22, 7, 2,  9,    2,  0, 27, 2, NULL, NULL, NULL, NULL),
    ( 1, 18, 19, 6, 3,  9,    1,  0,  9, 0, NULL, NULL, NULL, NULL),
    ( 0, 18,  6, 2, 3,  9,    1,  9, 18, 5,   15,   68, 'medium', 'Readiness 68 (medium): target lowered from 18 to 15')
) AS v(days_ago, target_points, earned_points, task_count, current_streak, longest_streak,
       last_hit_days_ago, daily_debt, weekly_debt, pressure_level, adjusted_target_points,
       readiness_score, energy_level, adjustment_reason)
ORDER BY v.days_ago DESC;  -- ids ascend with the date, as when rows are made day by day

-- ---------------------------------------------------------------------------------------------------
-- habits: daily, weekdays, weekly; one inactive. last_completed_date is a UTC date.
-- ---------------------------------------------------------------------------------------------------
INSERT INTO habits (id, name, description, emoji, frequency, target_count, current_streak, longest_streak,
                    is_active, sort_order, created_at, updated_at, last_completed_date, time_of_day, category)
SELECT v.id, v.name, v.description, v.emoji, v.frequency, v.target_count, v.current_streak,
       v.longest_streak, v.is_active, v.sort_order, n.utc - v.created_age::interval,
       n.utc - v.updated_age::interval, n.today - v.last_days_ago, v.time_of_day, v.category
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc,
             (now() AT TIME ZONE 'UTC')::date AS today) n,
(VALUES
  (1, 'Morning walk',  '20 minutes outside before work',  '🚶', 'daily',    1, 12, 30, 1, 1, '120 days', '3 minutes',   0, 'morning', 'health'),
  (2, 'Read 20 pages', NULL,                              '📚', 'daily',    1,  5, 14, 1, 2, '90 days',  '1 day 2 hours', 1, 'evening', 'personal'),
  (3, 'Inbox zero',    NULL,                              '📥', 'weekdays', 1,  3, 22, 1, 3, '200 days', '3 days',      3, 'anytime', 'productivity'),
  (4, 'Weekly review', 'Review goals and plan next week', '📝', 'weekly',   1,  4,  6, 1, 4, '60 days',  '7 days',      7, 'anytime', 'productivity'),
  (5, 'Meditate',      NULL,                              '🧘', 'daily',    2,  0,  9, 0, 5, '300 days', '60 days',    60, 'morning', 'health')
) AS v(id, name, description, emoji, frequency, target_count, current_streak, longest_streak, is_active,
       sort_order, created_age, updated_age, last_days_ago, time_of_day, category);

INSERT INTO habit_completions (habit_id, completed_at, note)
SELECT v.habit_id, n.utc - v.age::interval, v.note
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc) n,
(VALUES
  (5, '61 days', NULL), (5, '60 days', 'Short one'),
  (4, '28 days', NULL), (4, '21 days', NULL), (4, '14 days', 'Moved two goals'), (4, '7 days', NULL),
  (1, '11 days', NULL), (1, '10 days', NULL), (1, '9 days', NULL), (1, '8 days', NULL),
  (1, '7 days', NULL), (1, '6 days', NULL), (1, '5 days', 'Rain'), (1, '4 days', NULL),
  (1, '3 days', NULL), (1, '2 days', NULL), (1, '1 day', NULL),
  (3, '5 days', NULL), (3, '4 days', NULL), (3, '3 days', NULL),
  (2, '5 days 2 hours', NULL), (2, '4 days 2 hours', NULL), (2, '3 days 2 hours', NULL),
  (2, '2 days 2 hours', NULL), (2, '1 day 2 hours', 'Finished the chapter'),
  (1, '3 minutes', 'Along the river')
) AS v(habit_id, age, note);

-- ---------------------------------------------------------------------------------------------------
-- WorkOS's other tables (tally mcp reads them into Tally's own): today's newest energy reading is
-- 25 minutes old (readiness 68, medium); two brain dumps are unprocessed, the processed one is 51
-- days old; Globex's risk is elevated; task 32 has feedback
-- ---------------------------------------------------------------------------------------------------
INSERT INTO energy_states (level, source, oura_readiness, oura_hrv, oura_sleep, note, recorded_at)
SELECT v.level, v.source, v.readiness, v.hrv, v.sleep, v.note, n.utc - v.age::interval
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc) n,
(VALUES
  ('high',   'oura',   88,   62,   91,   NULL,              '12 days'),
  ('medium', 'manual', NULL, NULL, NULL, 'Slept badly',     '1 day 3 hours'),
  ('medium', 'oura',   68,   41,   74,   NULL,              '25 minutes')
) AS v(level, source, readiness, hrv, sleep, note, age);

INSERT INTO brain_dump (content, category, processed, processed_at, converted_to_task_id, created_at, context)
SELECT v.content, v.category, v.processed, n.utc - v.processed_age::interval, v.task_id,
       n.utc - v.age::interval, v.context
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc) n,
(VALUES
  ('Redlines for the Müller contract',      'task',    1, '50 days', 32,   '51 days', 'work'),
  ('What if the dashboard had a dark mode?', 'idea',    0, NULL,      NULL, '2 days',  'work'),
  ('Worried about the offsite budget',       'worry',   0, NULL,      NULL, '3 hours', 'personal')
) AS v(content, category, processed, processed_age, task_id, age, context);

INSERT INTO client_memory (id, client_name, tier, last_task_id, last_task_description, last_task_at,
                           total_tasks, stale_days, notes, risk_level, created_at, updated_at)
SELECT v.id, v.client_name, v.tier, v.last_task_id, v.last_task_description,
       n.utc - v.last_age::interval, v.total_tasks, v.stale_days, v.notes, v.risk_level,
       n.utc - interval '100 days', n.utc - v.last_age::interval
FROM (SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS utc) n,
(VALUES
  ('cm_acme',   'Acme Corp', 'active', '21', 'Send signed SOW',          '1 minute', 42, 0, 'Prefers email',      'normal'),
  ('cm_globex', 'Globex',    'active', '22', 'Reply to vendor emails',   '2 minutes', 31, 0, NULL,                'elevated')
) AS v(id, client_name, tier, last_task_id, last_task_description, last_age, total_tasks, stale_days,
       notes, risk_level);

INSERT INTO energy_feedback (task_id, suggested_energy_level, actual_energy_level, user_feedback,
                             completed_successfully, created_at)
SELECT 32, 'high', 'medium', 'Harder than expected', true,
       date_trunc('milliseconds', now() AT TIME ZONE 'UTC') - interval '45 days';

-- ---------------------------------------------------------------------------------------------------
-- Serial sequences continue after the explicit ids, so new rows get fresh ids
-- ---------------------------------------------------------------------------------------------------
SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT max(id) FROM clients)) AS clients_id,
       setval(pg_get_serial_sequence('tasks', 'id'), (SELECT max(id) FROM tasks)) AS tasks_id,
       setval(pg_get_serial_sequence('habits', 'id'), (SELECT max(id) FROM habits)) AS habits_id;

COMMIT;
