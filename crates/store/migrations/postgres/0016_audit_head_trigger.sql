-- The audit head follows each appended entry: the entry's hash becomes the head's in the
-- insert's own statement, one round trip fewer for every audited write. (The head's `seq` is
-- still taken first, by `UPDATE audit_head … RETURNING`, which serialises appends.)
CREATE FUNCTION audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows();
