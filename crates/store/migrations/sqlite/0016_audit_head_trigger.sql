-- The audit head follows each appended entry: the entry's hash becomes the head's in the
-- insert's own statement, one round trip fewer for every audited write. (The head's `seq` is
-- still taken first, by `UPDATE audit_head … RETURNING`, which serialises appends.)
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1;
END;
