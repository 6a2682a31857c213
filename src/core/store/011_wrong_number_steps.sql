-- The wrong-number procedure's steps (seed 000, 「保険者等における対応手順の詳細」), recorded per
-- record and the decision they follow: 1 contact sheet / デジタルPMO, 2 deletion, 3 right number,
-- 4 the operator's answer on third-party viewing, 5 report (別添5), 6 notice to the person,
-- 7 report to the 個人情報保護委員会. A step is recorded once; wrong_number::steps checks the order.
CREATE TABLE wrong_number_steps (
    record_id   INTEGER NOT NULL REFERENCES records (id),
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    step        INTEGER NOT NULL,
    value       INTEGER,                      -- step 3: RightNumber, step 4: Viewing
    done_on     INTEGER NOT NULL,             -- YYYYMMDD, the day it was done
    memo        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (record_id, decision_id, step)
);
