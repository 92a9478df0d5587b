-- A conversation database as the code before bot/database/migrations left it (commit 9d5624c), one
-- statement a line: Rasa's events table; the tables create_all made from bot/rasa/database.py and
-- bot/console/tables.py; the timeline tables and their alembic_version, at the timeline migrations'
-- revision 0003, there when DATABASE_URL named the same database; and some rows.
CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));
CREATE INDEX ix_events_sender_id ON events (sender_id);
CREATE TABLE assistant_models (model_id VARCHAR(64) NOT NULL, path TEXT NOT NULL, created_at FLOAT NOT NULL, created_by VARCHAR(255) NOT NULL, source VARCHAR(32) NOT NULL, report TEXT, gate_passed BOOLEAN, PRIMARY KEY (model_id));
CREATE TABLE channel_deliveries (channel VARCHAR(32) NOT NULL, delivery_id VARCHAR(255) NOT NULL, received_at FLOAT NOT NULL, PRIMARY KEY (channel, delivery_id));
CREATE INDEX ix_channel_deliveries_received_at ON channel_deliveries (received_at);
CREATE TABLE model_promotions (id INTEGER NOT NULL, model_id VARCHAR(64) NOT NULL, at FLOAT NOT NULL, username VARCHAR(255) NOT NULL, kind VARCHAR(16) NOT NULL, swap_seconds FLOAT, PRIMARY KEY (id));
CREATE TABLE patient_feedback (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, rating VARCHAR(8) NOT NULL, reply_text TEXT NOT NULL, at FLOAT NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_patient_feedback_at ON patient_feedback (at);
CREATE INDEX ix_patient_feedback_sender_id ON patient_feedback (sender_id);
CREATE TABLE review_labels (text TEXT NOT NULL, kind VARCHAR(16) NOT NULL, intent VARCHAR(255), entities TEXT, username VARCHAR(255) NOT NULL, at FLOAT NOT NULL, PRIMARY KEY (text));
CREATE TABLE staff_audit_log (id INTEGER NOT NULL, at FLOAT NOT NULL, username VARCHAR(64) NOT NULL, action VARCHAR(64) NOT NULL, target TEXT NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_staff_audit_log_at ON staff_audit_log (at);
CREATE TABLE staff_login_failures (id INTEGER NOT NULL, "key" VARCHAR(255) NOT NULL, at FLOAT NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_staff_login_failures_key ON staff_login_failures ("key");
CREATE TABLE staff_sessions (token_hash VARCHAR(64) NOT NULL, username VARCHAR(64) NOT NULL, csrf_token VARCHAR(64) NOT NULL, expires_at FLOAT NOT NULL, PRIMARY KEY (token_hash));
CREATE INDEX ix_staff_sessions_username ON staff_sessions (username);
CREATE TABLE staff_users (username VARCHAR(64) NOT NULL, password_hash VARCHAR(255) NOT NULL, role VARCHAR(16) NOT NULL, updated_at FLOAT NOT NULL, PRIMARY KEY (username));
CREATE TABLE activities (id VARCHAR(64) NOT NULL, label VARCHAR(200) NOT NULL, covered BOOLEAN NOT NULL, CONSTRAINT pk_activities PRIMARY KEY (id));
CREATE TABLE loaded_data (name VARCHAR(64) NOT NULL, sha256 VARCHAR(64) NOT NULL, CONSTRAINT pk_loaded_data PRIMARY KEY (name));
CREATE TABLE phases (id VARCHAR(64) NOT NULL, position INTEGER NOT NULL, label VARCHAR(200) NOT NULL, from_week FLOAT NOT NULL, to_week FLOAT, typical TEXT NOT NULL, avoid TEXT NOT NULL, start TEXT NOT NULL, cites JSON NOT NULL, CONSTRAINT pk_phases PRIMARY KEY (id));
CREATE TABLE procedures (id VARCHAR(64) NOT NULL, label VARCHAR(200) NOT NULL, nearest_id VARCHAR(64), CONSTRAINT pk_procedures PRIMARY KEY (id));
CREATE TABLE activity_windows (id INTEGER NOT NULL, activity_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, procedure_id VARCHAR(64), level VARCHAR(16), from_week FLOAT NOT NULL, to_week FLOAT, text TEXT NOT NULL, condition TEXT, cites JSON NOT NULL, CONSTRAINT pk_activity_windows PRIMARY KEY (id), CONSTRAINT fk_activity_windows_activity_id_activities FOREIGN KEY(activity_id) REFERENCES activities (id) ON DELETE CASCADE, CONSTRAINT fk_activity_windows_procedure_id_procedures FOREIGN KEY(procedure_id) REFERENCES procedures (id) ON DELETE CASCADE);
CREATE INDEX ix_activity_windows_activity_id ON activity_windows (activity_id);
CREATE TABLE milestones (id INTEGER NOT NULL, procedure_id VARCHAR(64), level VARCHAR(16), position INTEGER NOT NULL, text TEXT NOT NULL, from_week FLOAT, to_week FLOAT, cites JSON NOT NULL, CONSTRAINT pk_milestones PRIMARY KEY (id), CONSTRAINT fk_milestones_procedure_id_procedures FOREIGN KEY(procedure_id) REFERENCES procedures (id) ON DELETE CASCADE);
CREATE INDEX ix_milestones_procedure_id ON milestones (procedure_id);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num));
INSERT INTO events (sender_id, type_name, timestamp, action_name, data) VALUES ('rest:a', 'action', 1790000000.0, 'action_listen', '{"event": "action"}');
INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) VALUES ('rest:a', 'user', 1790000001.0, 'faq', '{"event": "user", "text": "can i climb stairs?"}');
INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('rest:a', 'bot', 1790000002.0, '{"event": "bot", "text": "Usually within a few days."}');
INSERT INTO assistant_models VALUES ('20261120-100000', 'var/models/a.tar.gz', 1790000000.0, 'make', 'make', NULL, 1);
INSERT INTO channel_deliveries VALUES ('twilio', 'SM0001', 1790000000.0);
INSERT INTO model_promotions (model_id, at, username, kind, swap_seconds) VALUES ('20261120-100000', 1790000100.0, 'admin', 'promote', 2.5);
INSERT INTO patient_feedback (sender_id, rating, reply_text, at) VALUES ('rest:a', 'up', 'Usually within a few days.', 1790000003.0);
INSERT INTO review_labels VALUES ('can i climb stairs?', 'faq', 'faq/stairs', NULL, 'reviewer', 1790000200.0);
INSERT INTO staff_audit_log (at, username, action, target) VALUES (1790000200.0, 'reviewer', 'label', 'rest:a');
INSERT INTO staff_login_failures ("key", at) VALUES ('user:admin', 1790000050.0);
INSERT INTO staff_sessions VALUES ('0000000000000000000000000000000000000000000000000000000000000000', 'reviewer', 'csrf', 1790030000.0);
INSERT INTO staff_users VALUES ('reviewer', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 'reviewer', 1790000000.0);
INSERT INTO procedures VALUES ('fusion', 'minimally invasive spinal fusion', NULL);
INSERT INTO milestones (procedure_id, position, text, cites) VALUES ('fusion', 0, '8–12 weeks for bone healing', '["miss-recovery-by-procedure"]');
INSERT INTO loaded_data VALUES ('timelines', '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO alembic_version VALUES ('0003');
