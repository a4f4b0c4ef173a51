DROP TABLE held_outcomes;
DROP TABLE fulfilment_tasks;
