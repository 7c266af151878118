ALTER TABLE applications ADD COLUMN provenance TEXT NOT NULL DEFAULT 'null';
