-- description: Where one node's adjoint comes from: each consumer's adjoint x local_grad, largest first.
-- param :run   the run (an id, a unique name, latest, latest~N)
-- param :name  the node whose adjoint to explain
--
-- The contributions of the consumers the output depends on add up to the node's adjoint (see
-- chain-rule). contribution is NULL where a factor is NaN or the product is NaN (inf * 0).
SELECT e.node_id AS consumer_id, e.node_name AS consumer, e.op, e.slot,
       e.node_grad AS consumer_grad, e.local_grad, e.contribution
FROM edge_details e
WHERE e.run_id = :run AND e.input_name = :name
ORDER BY e.contribution IS NULL DESC, abs(e.contribution) DESC, e.node_id;
