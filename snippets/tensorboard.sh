# Run from the folder where chapter 2 ran: that is where Lightning wrote lightning_logs/.
# --8<-- [start:serve]
tensorboard --logdir=lightning_logs/
# --8<-- [end:serve]
