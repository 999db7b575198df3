-- A WorkOS primary database (PostgreSQL) as the WorkOS Drizzle migrations leave it: the journaled
-- migrations 0000 (all tables) and 0001 (the added columns) applied by drizzle-kit. Written for Tally's
-- tests from the WorkOS Drizzle schema and migrations; the tables' final shape is spelled out here as
-- plain CREATE TABLE statements instead of CREATE + ALTER.
--
-- Things a reader of this database must cope with, on purpose:
--   * `timestamp` (WITHOUT time zone) columns hold UTC wall-clock time; `timestamptz` columns are real
--     instants. Both kinds live side by side in `tasks` and `daily_goals`.
--   * Columns added by the second migration sit at the END of their tables (after `updated_at` /
--     `points_adjusted_at`), not where a hand-written schema would put them.
--   * Tables and columns the dashboard does not use (`cognitive_load`, `client_memory`,
--     `energy_feedback`, ...; `tally mcp` reads them into Tally's own tables) and a `drizzle` schema
--     holding the migration journal.
--   * No triggers and no functions: the WorkOS programs set `updated_at` themselves.
--
-- Where the WorkOS code differs from the summary Tally was given, this file follows the code:
--   * clients.color text exists (nullable); the cache carries it too.
--   * tasks.cognitive_load is `text` WITHOUT a default: the Drizzle schema and the journaled migration
--     0001 declare no default. (A stray, unjournaled migration file 0002 would add it with DEFAULT
--     'medium', and the MCP server's create_task writes NULL explicitly anyway.)
--   * habits.time_of_day has DEFAULT 'anytime'.
--   * habit_completions.habit_id is NOT NULL and its foreign key is ON DELETE NO ACTION (the Drizzle
--     migration's default); only the unjournaled hand-written migrate-personalos.sql says CASCADE.
--   * brain_dump has a `context` column (DEFAULT 'personal'); brain_dump.converted_to_task_id and
--     energy_feedback.task_id reference tasks(id) with NO ACTION, so a task referenced there cannot be
--     deleted without deleting those rows first.
--
-- Load into an empty database: psql "$URL" -v ON_ERROR_STOP=1 -f workos-primary.sql
-- Test data: workos-primary-data.sql (load after this file).

SET client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------------
-- clients
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "clients" (
  "id"         serial PRIMARY KEY NOT NULL,
  "name"       text NOT NULL,
  "type"       text DEFAULT 'client' NOT NULL,      -- client | internal | project
  "color"      text,
  "is_active"  integer DEFAULT 1 NOT NULL,
  "created_at" timestamp DEFAULT now() NOT NULL,    -- UTC wall clock
  CONSTRAINT "clients_name_unique" UNIQUE ("name")
);

-- ---------------------------------------------------------------------------------------------------
-- tasks
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "tasks" (
  "id"                 serial PRIMARY KEY NOT NULL,
  "client_id"          integer,
  "title"              text NOT NULL,
  "description"        text,
  "status"             text DEFAULT 'backlog' NOT NULL,   -- active | queued | backlog | done
  "category"           text DEFAULT 'work' NOT NULL,      -- work | personal
  "value_tier"         varchar(20) DEFAULT 'progress',    -- checkbox | progress | deliverable | milestone
  "effort_estimate"    integer DEFAULT 2,
  "effort_actual"      integer,
  "drain_type"         text,                              -- deep | shallow | admin
  "sort_order"         integer DEFAULT 0,
  "subtasks"           jsonb DEFAULT '[]'::jsonb,         -- [{"title": ..., "done": bool}, ...]
  "created_at"         timestamp DEFAULT now() NOT NULL,  -- UTC wall clock
  "updated_at"         timestamp DEFAULT now() NOT NULL,  -- UTC wall clock
  "completed_at"       timestamp,                         -- UTC wall clock
  "backlog_entered_at" timestamp with time zone,
  "points_ai_guess"    integer,
  "points_final"       integer,
  "points_adjusted_at" timestamp with time zone,
  "cognitive_load"     text                               -- added by migration 0001; low | medium | high
);

-- ---------------------------------------------------------------------------------------------------
-- daily_goals
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "daily_goals" (
  "id"                     serial PRIMARY KEY NOT NULL,
  "date"                   date NOT NULL,
  "target_points"          integer DEFAULT 18,
  "earned_points"          integer DEFAULT 0,
  "task_count"             integer DEFAULT 0,
  "current_streak"         integer DEFAULT 0,
  "longest_streak"         integer DEFAULT 0,
  "last_goal_hit_date"     date,
  "daily_debt"             integer DEFAULT 0,
  "weekly_debt"            integer DEFAULT 0,
  "pressure_level"         integer DEFAULT 0,        -- 0..5 as the web app writes it
  "updated_at"             timestamp with time zone DEFAULT now(),
  "adjusted_target_points" integer,                  -- added by migration 0001 (energy adjustment)
  "readiness_score"        integer,
  "energy_level"           text,
  "adjustment_reason"      text,
  CONSTRAINT "daily_goals_date_unique" UNIQUE ("date")
);

-- ---------------------------------------------------------------------------------------------------
-- client_memory (read for tally mcp)
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "client_memory" (
  "id"                    text PRIMARY KEY NOT NULL,
  "client_name"           text NOT NULL,
  "tier"                  text DEFAULT 'active',
  "last_task_id"          text,
  "last_task_description" text,
  "last_task_at"          timestamp,
  "total_tasks"           integer DEFAULT 0,
  "stale_days"            integer DEFAULT 0,
  "notes"                 text,
  "sentiment"             text DEFAULT 'neutral',
  "importance"            text DEFAULT 'medium',
  "avoidance_score"       integer DEFAULT 0,
  "blocker_reason"        text,
  "created_at"            timestamp DEFAULT now() NOT NULL,
  "updated_at"            timestamp DEFAULT now() NOT NULL,
  "risk_level"            text DEFAULT 'normal',
  "work_debt"             text,
  CONSTRAINT "client_memory_client_name_unique" UNIQUE ("client_name")
);

-- ---------------------------------------------------------------------------------------------------
-- habits and their check-ins
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "habits" (
  "id"                  serial PRIMARY KEY NOT NULL,
  "name"                text NOT NULL,
  "description"         text,
  "emoji"               text,
  "frequency"           text DEFAULT 'daily' NOT NULL,   -- daily | weekdays | weekly
  "target_count"        integer DEFAULT 1,
  "current_streak"      integer DEFAULT 0,
  "longest_streak"      integer DEFAULT 0,
  "is_active"           integer DEFAULT 1 NOT NULL,
  "sort_order"          integer DEFAULT 0,
  "created_at"          timestamp DEFAULT now() NOT NULL,  -- UTC wall clock
  "updated_at"          timestamp DEFAULT now() NOT NULL,  -- UTC wall clock
  "last_completed_date" date,                              -- added by migration 0001
  "time_of_day"         text DEFAULT 'anytime',            -- morning | evening | anytime
  "category"            text
);

CREATE TABLE "habit_completions" (
  "id"           serial PRIMARY KEY NOT NULL,
  "habit_id"     integer NOT NULL,
  "completed_at" timestamp DEFAULT now() NOT NULL,         -- UTC wall clock
  "note"         text
);

-- ---------------------------------------------------------------------------------------------------
-- energy_states, brain_dump, energy_feedback (read for tally mcp)
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE "energy_states" (
  "id"             serial PRIMARY KEY NOT NULL,
  "level"          text NOT NULL,                           -- high | medium | low
  "source"         text DEFAULT 'manual',                   -- manual | oura
  "oura_readiness" integer,
  "oura_hrv"       integer,
  "oura_sleep"     integer,
  "note"           text,
  "recorded_at"    timestamp DEFAULT now() NOT NULL
);

CREATE TABLE "brain_dump" (
  "id"                   serial PRIMARY KEY NOT NULL,
  "content"              text NOT NULL,
  "category"             text,                              -- thought | task | idea | worry
  "processed"            integer DEFAULT 0,
  "processed_at"         timestamp,
  "converted_to_task_id" integer,
  "created_at"           timestamp DEFAULT now() NOT NULL,
  "context"              text DEFAULT 'personal'            -- added by migration 0001
);

CREATE TABLE "energy_feedback" (
  "id"                     serial PRIMARY KEY NOT NULL,
  "task_id"                integer NOT NULL,
  "suggested_energy_level" text NOT NULL,
  "actual_energy_level"    text NOT NULL,
  "user_feedback"          text,
  "completed_successfully" boolean NOT NULL,
  "created_at"             timestamp DEFAULT now() NOT NULL
);

-- ---------------------------------------------------------------------------------------------------
-- Foreign keys (Drizzle names them <table>_<column>_<target>_<column>_fk; all ON DELETE NO ACTION)
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_client_id_clients_id_fk"
  FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;
ALTER TABLE "habit_completions" ADD CONSTRAINT "habit_completions_habit_id_habits_id_fk"
  FOREIGN KEY ("habit_id") REFERENCES "public"."habits"("id") ON DELETE no action ON UPDATE no action;
ALTER TABLE "brain_dump" ADD CONSTRAINT "brain_dump_converted_to_task_id_tasks_id_fk"
  FOREIGN KEY ("converted_to_task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;
ALTER TABLE "energy_feedback" ADD CONSTRAINT "energy_feedback_task_id_tasks_id_fk"
  FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;

-- ---------------------------------------------------------------------------------------------------
-- Indexes
-- ---------------------------------------------------------------------------------------------------
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status");
CREATE INDEX "tasks_client_id_idx" ON "tasks" USING btree ("client_id");
CREATE INDEX "tasks_completed_at_idx" ON "tasks" USING btree ("completed_at");
CREATE INDEX "habit_completions_habit_id_idx" ON "habit_completions" USING btree ("habit_id");
CREATE INDEX "habit_completions_completed_at_idx" ON "habit_completions" USING btree ("completed_at");
CREATE INDEX "energy_states_recorded_at_idx" ON "energy_states" USING btree ("recorded_at");
CREATE INDEX "brain_dump_processed_idx" ON "brain_dump" USING btree ("processed");
CREATE INDEX "brain_dump_created_at_idx" ON "brain_dump" USING btree ("created_at");
CREATE INDEX "brain_dump_context_idx" ON "brain_dump" USING btree ("context");
CREATE INDEX "energy_feedback_task_id_idx" ON "energy_feedback" USING btree ("task_id");
CREATE INDEX "energy_feedback_created_at_idx" ON "energy_feedback" USING btree ("created_at");

-- ---------------------------------------------------------------------------------------------------
-- The migration journal drizzle-kit keeps in its own schema: one row per applied migration, the
-- SHA-256 of the migration file and the journal's timestamp (ms since the epoch).
-- ---------------------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
  "id"         SERIAL PRIMARY KEY,
  "hash"       text NOT NULL,
  "created_at" bigint
);
INSERT INTO "drizzle"."__drizzle_migrations" ("hash", "created_at") VALUES
  ('06b5dc024355cd345600357c11785d08f8f7aa860097de9f6b926b7167e360ae', 1767799664632),  -- 0000_volatile_omega_red
  ('468d8fad8b6554270dcec4f316b21993a03f0b7e9cfc05b06a57cfc6d0845284', 1769111030760);  -- 0001_pink_red_shift
