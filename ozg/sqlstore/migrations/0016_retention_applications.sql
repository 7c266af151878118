-- Retention (Löschfristen): a service's applications walked in the order of their last change.
CREATE INDEX applications_service_updated ON applications (service_id, updated_at, id);
