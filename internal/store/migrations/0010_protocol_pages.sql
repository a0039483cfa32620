-- A client's protocols newest first, to the id: a page of the portal's or staff's
-- protocol list (ORDER BY performed_at DESC, id DESC) reads the index backwards
-- and stops at the page, and a count reads only the index. It replaces the
-- index without the id, whose every use it serves.
CREATE INDEX protocols_client_recent ON protocols(company_id, client_id, status, performed_at, id);
DROP INDEX protocols_client;
