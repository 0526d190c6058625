// mistake: your answer compares status with 'Seized': text comparison is case-sensitive, the status is 'seized'
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'Seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(:Market {status: 'active'})
WHERE n.pgp = o.pgp
RETURN old.handle AS old_handle, new.handle AS new_handle
