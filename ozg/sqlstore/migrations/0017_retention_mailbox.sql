-- Retention (Löschfristen): a service's Postfach messages walked in creation order.
CREATE INDEX mailbox_service_created ON mailbox_messages (service, created_at, id);
