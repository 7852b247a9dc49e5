# Install commands shown on the pages; the tests check their syntax and that they name real packages.
# --8<-- [start:reader]
pip install torch lightning tensorboard
# --8<-- [end:reader]

# --8<-- [start:pip]
pip install lightning
# --8<-- [end:pip]

# --8<-- [start:conda]
conda install lightning
# --8<-- [end:conda]

# --8<-- [start:conda-forge]
conda install lightning -c conda-forge
# --8<-- [end:conda-forge]

# --8<-- [start:tensorboard]
pip install tensorboard
# --8<-- [end:tensorboard]
