import SGDynamics
print("sgdyn")
